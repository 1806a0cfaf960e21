/**
 * "Code changes won't be reflected": `tend run playbooks/api-recover.yaml` restarts a unit that
 * serves stale code, and refuses to restart one whose code directory is gone. Checked over OpenSSH.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { APP_DIR, APP_PATH, UNIT_NAME } from '../../src/testbed/index.js'
import { leaseHost, type TestHost } from '../support/testbed.js'
import { onHost } from '../modules/systemd-harness.js'
import { recover, totals, unitProps } from './support.js'

const host: TestHost = await leaseHost()
const FRESH_TASK = `${UNIT_NAME} runs the code on disk`

type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>
const freshEnd = (events: readonly EngineEvent[]) =>
  events.find((e): e is TaskEnd => e.type === 'task-end' && e.task === FRESH_TASK)

/** A process's start as epoch seconds and a file's mtime, both read from the host's /proc and stat. */
async function startedAfterChange(pid: number, file: string): Promise<boolean> {
  const out = await onHost(host, `read up _ < /proc/uptime; now=$(date +%s.%N)
ticks=$(tr '\\n' ' ' < /proc/${pid}/stat | sed 's/.*) //' | cut -d' ' -f20)
echo "$now $up $ticks $(getconf CLK_TCK) $(stat -c %.9Y ${file})" | awk '{ print ($1 - $2 + $3 / $4 > $5) ? "yes" : "no" }'`)
  return out === 'yes'
}

test('a unit running code that changed on disk is restarted, and a second run changes nothing', async () => {
  const before = await unitProps(host)
  await onHost(host, `sleep 0.1; echo '# a fix, merged' >> ${APP_PATH}`)
  const check = await recover(host, '--check')
  assert.equal(check.code, 3, check.stdout + check.stderr)
  const planned = freshEnd(check.events)
  assert.match(planned?.changes[0]?.summary ?? '', new RegExp(`^restart ${UNIT_NAME}: pid ${before.mainPid} \\(.*\\) started .* before ${APP_PATH} changed at `))
  assert.equal((await unitProps(host)).mainPid, before.mainPid, '--check restarted nothing')

  const run = await recover(host)
  assert.equal(run.code, 0, run.stdout + run.stderr)
  assert.equal(freshEnd(run.events)?.status, 'changed')
  const after = await unitProps(host)
  assert.notEqual(after.mainPid, before.mainPid)
  assert.equal(after.activeState, 'active')
  assert.ok(await startedAfterChange(after.mainPid, APP_PATH), 'the new MainPID started after the change')

  const again = await recover(host)
  assert.equal(again.code, 0, again.stderr)
  assert.equal(totals(again.recap).changed, 0)
  assert.equal((await unitProps(host)).mainPid, after.mainPid)
})

test('a code directory emptied under the running unit fails the task, naming it, and nothing restarts', async () => {
  const before = await unitProps(host)
  await onHost(host, `rm -rf ${APP_DIR}/*`)
  const run = await recover(host)
  assert.equal(run.code, 2, run.stdout + run.stderr)
  const end = freshEnd(run.events)
  assert.equal(end?.status, 'failed')
  assert.match(end?.message ?? '', new RegExp(`${APP_DIR} holds no file`))
  const after = await unitProps(host)
  assert.deepEqual([after.mainPid, after.nRestarts, after.activeState], [before.mainPid, before.nRestarts, 'active'])
})
