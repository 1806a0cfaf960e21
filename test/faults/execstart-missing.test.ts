/**
 * Fault: the unit's ExecStart program is missing. The recovery fails at the port task, says why
 * (203/EXEC), runs nothing after it, and prints no stack trace.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { portHolders, unitProps } from '../e2e/support.js'
import { leaseHost } from '../support/testbed.js'
import { assertCleanEnd, startRun, taskEndsOf } from './support.js'

const host = await leaseHost()
const DROP_IN = `/etc/systemd/system/${UNIT_NAME}.d/50-tend-fault-missing.conf`
after(() => host.sh(`rm -f ${DROP_IN}; systemctl daemon-reload`))

test("a unit whose ExecStart program is missing: the task fails naming 203/EXEC, nothing after it runs", async () => {
  const staged = await host.sh(`set -e
mkdir -p ${DROP_IN.slice(0, DROP_IN.lastIndexOf('/'))}
printf '[Service]\\nExecStart=\\nExecStart=/opt/scidex/no-such-binary\\n' > ${DROP_IN}
systemctl daemon-reload
systemctl stop ${UNIT_NAME}`)
  assert.equal(staged.exitCode, 0, staged.stderr)
  const result = await startRun(host, ['--step-timeout', '6']).done
  assertCleanEnd(result, 2)
  const ends = taskEndsOf(result.stdout)
  assert.deepEqual(ends.map((e) => e.status), ['ok', 'failed'], 'no task after the failed one')
  assert.match(ends[1]?.message ?? '', /does not listen on :8000 \(it is .*its ExecStart program could not be executed \(status 203\/EXEC/)
  // The host, read directly: the unit does not run and nothing listens on the port.
  assert.notEqual((await unitProps(host)).subState, 'running')
  assert.deepEqual(await portHolders(host), [])
})
