/**
 * Fault: the SSH session is cut mid-task (the host's sshd process serving tend's connection is
 * killed). The host is `unreachable` with the reason; the command is not run again and no later
 * task runs (nothing retried blindly).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { project } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { assertCleanEnd, startRun, taskEndsOf, waitOnHost } from './support.js'

const host = await leaseHost()

test('a session cut mid-task: unreachable with the reason, no retry, no later task', async () => {
  await host.sh('rm -f /root/fault-marker /root/fault-after')
  const dir = await project({
    'cut.yaml': `- hosts: all
  tasks:
    - name: long
      shell: "echo run >> /root/fault-marker; exec sleep 41.5"
    - name: after
      shell: "touch /root/fault-after"
`,
  })
  const run = startRun(host, [], 'cut.yaml', dir)
  const sleeper = await waitOnHost(host, `pgrep -f '^sleep 41.5$'`, 'the long command runs')
  // Walk up from the command to the sshd process of tend's own connection, and kill it.
  const killed = await host.sh(`p=${sleeper}
while [ "$p" -gt 1 ]; do
  [ "$(cut -d' ' -f2 /proc/$p/stat)" = '(sshd)' ] && { kill -KILL "$p"; echo "$p"; exit 0; }
  p=$(awk '{print $4}' /proc/$p/stat)
done
exit 1`)
  assert.equal(killed.exitCode, 0, 'found the session process')
  const result = await run.done
  assertCleanEnd(result, 4)
  const ends = taskEndsOf(result.stdout)
  assert.deepEqual(ends.map((e) => [e.task, e.status]), [['long', 'unreachable']])
  assert.match(ends[0]?.message ?? '', /^closed: connection to .* dropped: .*closed the connection\n {2}cut off while applying: .*sleep 41\.5.*\(its outcome is unknown: check the host\)\n {2}done: nothing\n {2}not started: nothing\nhint: .*tasks after this point did not run/)
  // The host: the command ran once, the later task never ran.
  assert.equal((await host.sh('cat /root/fault-marker')).stdout, 'run\n')
  assert.equal((await host.sh('test -e /root/fault-after')).exitCode, 1)
  await host.sh(`kill ${sleeper} 2>/dev/null; true`)
})
