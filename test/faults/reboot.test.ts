/**
 * Fault: the host "reboots" mid-run. `systemctl reboot` of an nspawn test host does not come back
 * on this testbed, so the reboot is simulated as what tend sees of one: sshd stops, every session
 * (tend's connection and the processes it started) is killed, then sshd comes back. The host is
 * `unreachable` with the reason, no later task runs and nothing is retried.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { project } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { assertCleanEnd, startRun, taskEndsOf, waitOnHost } from './support.js'

const host = await leaseHost()
after(() => host.sh('systemctl start ssh.service'))

test('a reboot mid-task (sessions killed, sshd restarted): unreachable with the reason, no later task', async () => {
  await host.sh('rm -f /root/fault-marker /root/fault-after')
  const dir = await project({
    'reboot.yaml': `- hosts: all
  tasks:
    - name: long
      shell: "echo run >> /root/fault-marker; exec sleep 42.5"
    - name: after
      shell: "touch /root/fault-after"
`,
  })
  const run = startRun(host, [], 'reboot.yaml', dir)
  const sleeper = await waitOnHost(host, `pgrep -f '^sleep 42.5$'`, 'the long command runs')
  // Run outside any session (a transient unit), since it kills every session, ours included.
  await host.sh(`systemd-run --quiet --unit=tend-fault-reboot sh -c '
systemctl stop ssh.service
for s in $(loginctl list-sessions --no-legend | awk "{print \\$1}"); do loginctl kill-session --signal=KILL "$s"; done
pkill -KILL -f "^sshd: " ; sleep 1; systemctl start ssh.service'`)
  const result = await run.done
  assertCleanEnd(result, 4)
  const ends = taskEndsOf(result.stdout)
  assert.deepEqual(ends.map((e) => [e.task, e.status]), [['long', 'unreachable']])
  assert.match(ends[0]?.message ?? '', /^closed: connection to .* dropped/)
  await waitOnHost(host, 'systemctl is-active --quiet ssh.service', 'sshd is back')
  assert.equal((await host.sh(`test -d /proc/${sleeper}`)).exitCode, 1, 'the session\'s processes are gone, as after a reboot')
  assert.equal((await host.sh('cat /root/fault-marker')).stdout, 'run\n', 'the command was not run again')
  assert.equal((await host.sh('test -e /root/fault-after')).exitCode, 1)
})
