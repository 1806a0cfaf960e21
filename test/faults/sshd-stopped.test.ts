/**
 * Fault: sshd is stopped between tasks. Its open connections survive (the listener is all that
 * stops), so tend finishes on the connection it holds; a run that must connect anew reports the
 * host unreachable (refused) with the reason and changes nothing.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { project } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { assertCleanEnd, startRun, taskEndsOf, waitOnHost } from './support.js'

const host = await leaseHost()
const dir = await project({
  'two.yaml': `- hosts: all
  tasks:
    - name: first
      shell: "touch /run/fault-first; while [ ! -e /run/fault-go ]; do sleep 0.1; done"
    - name: second
      shell: "touch /run/fault-second"
`,
})

after(() => host.sh('systemctl start ssh.service'))

/** Stops sshd's listener now and starts it again in a few seconds (no session of ours survives otherwise). */
async function stopSshd(restartAfterSeconds: number): Promise<void> {
  const result = await host.sh(`systemd-run --quiet --on-active=${restartAfterSeconds} systemctl start ssh.service
systemctl stop ssh.service; touch /run/fault-go`)
  assert.equal(result.exitCode, 0, result.stderr)
}

test('sshd stopped between tasks: the run finishes on its open connection', async () => {
  await host.sh('rm -f /run/fault-first /run/fault-go /run/fault-second')
  const run = startRun(host, [], 'two.yaml', dir)
  await waitOnHost(host, 'test -e /run/fault-first', 'the first task runs')
  await stopSshd(8)
  const result = await run.done
  assertCleanEnd(result, 0)
  assert.deepEqual(taskEndsOf(result.stdout).map((e) => [e.task, e.status]), [['first', 'changed'], ['second', 'changed']])
  await waitOnHost(host, 'systemctl is-active --quiet ssh.service', 'sshd is back')
  assert.equal((await host.sh('test -e /run/fault-second')).exitCode, 0, 'the second task ran')
})

test('sshd stopped before a run: unreachable (refused) with the reason, nothing run', async () => {
  await host.sh('rm -f /run/fault-first /run/fault-go /run/fault-second')
  await stopSshd(20)
  const result = await startRun(host, [], 'two.yaml', dir).done
  assertCleanEnd(result, 4)
  const ends = taskEndsOf(result.stdout)
  assert.deepEqual(ends.map((e) => [e.task, e.status]), [['first', 'unreachable']])
  assert.match(ends[0]?.message ?? '', /^refused: cannot connect to .*\nhint: nothing accepts SSH on /)
  await waitOnHost(host, 'systemctl is-active --quiet ssh.service', 'sshd is back', 600)
  assert.equal((await host.sh('test -e /run/fault-first')).exitCode, 1, 'nothing ran')
})
