/**
 * Fault: a command hangs past its task's timeout. The task fails as timed out, the hung command
 * and its children are stopped on the host, and no later task runs.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { project } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { assertCleanEnd, startRun, taskEndsOf } from './support.js'

const host = await leaseHost()

test('a command hanging past its timeout fails the task, is stopped on the host, and nothing after it runs', async () => {
  await host.sh('rm -f /root/fault-after')
  const dir = await project({
    'hang.yaml': `- hosts: all
  tasks:
    - name: hangs
      timeout: 2
      shell: "sleep 43.5 & exec sleep 44.5"
    - name: after
      shell: "touch /root/fault-after"
`,
  })
  const result = await startRun(host, [], 'hang.yaml', dir).done
  assertCleanEnd(result, 2)
  const ends = taskEndsOf(result.stdout)
  assert.deepEqual(ends.map((e) => [e.task, e.status]), [['hangs', 'failed']])
  assert.match(ends[0]?.message ?? '', /^timed out after 2s: cut off while applying: /)
  // /proc on the host: neither the command nor the child it started is left running.
  const left = await host.sh(`for i in $(seq 50); do pgrep -f '^sleep 4[34].5$' || exit 0; sleep 0.1; done; exit 1`)
  assert.equal(left.exitCode, 0, `still running: ${left.stdout}`)
  assert.equal((await host.sh('test -e /root/fault-after')).exitCode, 1)
})
