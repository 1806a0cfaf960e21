/**
 * Probes taken ahead in one round trip (engine/probe-ahead.ts), on a real systemd+sshd host:
 * a healthy host converges api-recover in the one round trip the bench reports, and a task after
 * a change sees the changed world, never a probe taken before the change.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { cleanEnv, project, tend } from '../cli/support.js'
import { leaseHosts, testbed, type TestHost } from '../support/testbed.js'
import { onHost } from '../modules/systemd-harness.js'
import { REPO } from '../e2e/support.js'
import { eventsIn } from '../support/events.js'

const [host] = (await leaseHosts(1)) as [TestHost]

async function run(playbook: string, cwd: string, ...args: string[]) {
  const result = await tend(['run', playbook, '-i', testbed().inventoryFile, '--limit', host.name, ...args], cwd, cleanEnv())
  const events = args.includes('--json')
    ? eventsIn(result.stdout)
    : []
  return { ...result, events }
}

const roundTrips = (events: readonly EngineEvent[]) => events.flatMap((e) => (e.type === 'host-end' ? [e.roundTrips] : []))
const taskEnds = (events: readonly EngineEvent[]) => events.flatMap((e) => (e.type === 'task-end' ? [e] : []))
/** The commands -vv reports for the host: one line each, `[host] $ argv…`. */
const commandsShown = (stdout: string) => stdout.split('\n').filter((l) => l.includes(`[${host.name}] $ `))

test('a healthy host converges api-recover in one round trip: one batched command, every task ok', async () => {
  const json = await run('playbooks/api-recover.yaml', REPO, '-e', 'stable_seconds=0', '--json')
  assert.equal(json.code, 0, json.stdout + json.stderr)
  assert.ok(taskEnds(json.events).every((e) => e.status === 'ok'), json.stdout)
  // The bench reports the same count for this runbook (test/bench-smoke.test.ts: RT/host 1).
  assert.deepEqual(roundTrips(json.events), [1])

  // Counted the other way: the commands tend sent, as -vv lists them. The routes are asked over
  // the connection beside that one command (no command of their own).
  const verbose = await run('playbooks/api-recover.yaml', REPO, '-e', 'stable_seconds=0', '-vv')
  assert.equal(verbose.code, 0, verbose.stdout)
  const commands = commandsShown(verbose.stdout)
  assert.equal(commands.length, 1, commands.join('\n'))
  assert.match(commands[0] ?? '', /tend-probes/)
})

test('--check takes every probe in one round trip, drift or not', async () => {
  await onHost(host, `systemctl stop ${UNIT_NAME}`)
  try {
    const planned = await run('playbooks/api-recover.yaml', REPO, '-e', 'stable_seconds=0', '--check', '--json')
    assert.equal(planned.code, 3, planned.stdout + planned.stderr)
    assert.deepEqual(roundTrips(planned.events), [1])
    assert.equal(await onHost(host, `systemctl is-active ${UNIT_NAME} || true`), 'inactive', '--check changed nothing')
  } finally {
    await onHost(host, `systemctl start ${UNIT_NAME}`)
  }
})

const changedWorld = await project({
  'stop-then-look.yaml': `- hosts: all
  tasks:
    - name: stop it
      unit: { name: ${UNIT_NAME}, state: inactive }
    - name: look again
      unit: { name: ${UNIT_NAME}, state: inactive }
      register: after
    - name: what the second task saw
      debug: { msg: "{{ after.ActiveState }}" }
    - name: start it again
      unit: { name: ${UNIT_NAME}, state: active }
    - name: and look once more
      unit: { name: ${UNIT_NAME}, state: active }
      register: again
`,
  'rename-between.yaml': `- hosts: all
  vars: { which: ${UNIT_NAME} }
  tasks:
    - name: first unit
      unit: { name: "{{ which }}", state: active }
    - set_fact: { which: ssh.service }
    - name: second unit
      unit: { name: "{{ which }}", state: active }
      register: second
`,
})

test('a task after a change sees the changed world, not the probe taken before the change', async () => {
  const result = await run('stop-then-look.yaml', changedWorld, '--json')
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const ends = taskEnds(result.events)
  assert.deepEqual(ends.map((e) => [e.task, e.status]), [
    ['stop it', 'changed'],
    // Probed before the stop (in the first batch) it would have been "active" and changed again.
    ['look again', 'ok'],
    ['what the second task saw', 'ok'],
    ['start it again', 'changed'],
    ['and look once more', 'ok'],
  ])
  assert.equal(ends[1]?.result?.ActiveState, 'inactive')
  assert.equal(ends[4]?.result?.ActiveState, 'active')
  assert.equal(await onHost(host, `systemctl is-active ${UNIT_NAME}`), 'active')
  // batch, stop, verify | batch again, start, verify | batch again: at least these, one after another.
  assert.ok((roundTrips(result.events)[0] ?? 0) >= 7, JSON.stringify(roundTrips(result.events)))
})

test('a task rendered differently at its turn (set_fact in between) probes what it names then', async () => {
  const result = await run('rename-between.yaml', changedWorld, '--json')
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const second = taskEnds(result.events).find((e) => e.task === 'second unit')
  assert.equal(second?.status, 'ok')
  assert.match(String(second?.result?.MainPID), /^[1-9]\d*$/)
  const sshdPid = await onHost(host, 'systemctl show -p MainPID --value ssh.service')
  assert.equal(String(second?.result?.MainPID), sshdPid, 'the second task reports ssh.service, not the unit taken ahead')
  // One batch for both tasks, then the second probes again on its own.
  assert.deepEqual(roundTrips(result.events), [2])
})
