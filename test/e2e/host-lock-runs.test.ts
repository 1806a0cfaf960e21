/** Two `tend run` processes against one host: they never interleave; without --wait-lock the second fails naming the first. */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { finished, project, start, waitForOutput } from '../cli/support.js'
import { leaseHost, testbed, type TestHost } from '../support/testbed.js'

let host: TestHost
let dir: string

/** Each task appends "WHO start" and "WHO end" to a log on the host, with a pause between. */
const PLAYBOOK = `- hosts: testhosts
  tasks:
    - name: first step
      shell: 'echo "{{ who }} start" >> /root/lock-log; sleep 1.5; echo "{{ who }} end" >> /root/lock-log'
    - name: second step
      shell: 'echo "{{ who }} start" >> /root/lock-log; sleep 1.5; while [ -e /root/lock-hold ]; do sleep 0.1; done; echo "{{ who }} end" >> /root/lock-log'
`

before(async () => {
  host = await leaseHost()
  await host.sh('rm -f /root/lock-log')
  dir = await project({ 'site.yaml': PLAYBOOK })
})

const runArgs = (who: string, ...extra: string[]) =>
  ['run', 'site.yaml', '-i', testbed().inventoryFile, '--limit', host.name, '-e', `who=${who}`, ...extra]

test('a second run waits for the lock (--wait-lock) and the two never interleave on the host', async () => {
  const first = start(runArgs('A'), dir)
  const firstDone = finished(first)
  await waitForOutput(first, 'first step')
  const second = await finished(start(runArgs('B', '--wait-lock', '60'), dir))
  const firstRun = await firstDone
  assert.equal(firstRun.code, 0, firstRun.stdout + firstRun.stderr)
  assert.equal(second.code, 0, second.stdout + second.stderr)
  const log = (await host.sh('cat /root/lock-log')).stdout.trim().split('\n')
  assert.deepEqual(log, ['A start', 'A end', 'A start', 'A end', 'B start', 'B end', 'B start', 'B end'])
})

test('without --wait-lock the second run fails at once, naming the run that holds the host', async () => {
  // The first run holds the host (its second step waits for /root/lock-hold to go) until the second has ended.
  await host.sh('rm -f /root/lock-log; touch /root/lock-hold')
  const first = start(runArgs('A'), dir)
  const firstDone = finished(first)
  await waitForOutput(first, 'first step')
  const second = await finished(start(runArgs('B'), dir))
  await host.sh('rm -f /root/lock-hold')
  assert.equal(second.code, 2)
  assert.match(second.stdout, /is locked by run \d{8}-\d{6}-[0-9a-f]{4} \(controller .+, pid \d+\)/)
  assert.equal((await firstDone).code, 0)
  const log = (await host.sh('cat /root/lock-log')).stdout
  assert.doesNotMatch(log, /B/, 'the refused run touched the host')
})
