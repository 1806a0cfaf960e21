/** Two `tend run` processes against one host: they never interleave; without --wait-lock the second fails naming the first. */
import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { finished, project, start } from '../cli/support.js'
import { leaseHost, testbed, type TestHost } from '../support/testbed.js'

let host: TestHost
let dir: string

/**
 * Each task appends "WHO start", waits until the test creates /root/go-WHO (bounded), then
 * appends "WHO end": a run holds the host exactly as long as the test wants, whatever the load.
 */
const STEP = `'echo "{{ who }} start" >> /root/lock-log; i=0; while [ ! -e /root/go-{{ who }} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; echo "{{ who }} end" >> /root/lock-log'`
const PLAYBOOK = `- hosts: testhosts
  tasks:
    - name: first step
      shell: ${STEP}
    - name: second step
      shell: ${STEP}
`

/** Resolves once the host's log shows that WHO started its first step. */
async function started(who: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await host.sh('cat /root/lock-log 2>/dev/null')).stdout.includes(`${who} start`)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${who} never started`)
}

before(async () => {
  host = await leaseHost()
  await host.sh('rm -f /root/lock-log /root/go-*')
  dir = await project({ 'site.yaml': PLAYBOOK })
})

const runArgs = (who: string, ...extra: string[]) =>
  ['run', 'site.yaml', '-i', testbed().inventoryFile, '--limit', host.name, '-e', `who=${who}`, ...extra]

test('a second run waits for the lock (--wait-lock) and the two never interleave on the host', async () => {
  await host.sh('touch /root/go-B')
  const firstDone = finished(start(runArgs('A'), dir))
  await started('A')
  const secondDone = finished(start(runArgs('B', '--wait-lock', '60'), dir))
  await new Promise((resolve) => setTimeout(resolve, 1000))  // give B time to try; the order below holds either way
  await host.sh('touch /root/go-A')
  const second = await secondDone
  const firstRun = await firstDone
  assert.equal(firstRun.code, 0, firstRun.stdout + firstRun.stderr)
  assert.equal(second.code, 0, second.stdout + second.stderr)
  const log = (await host.sh('cat /root/lock-log')).stdout.trim().split('\n')
  assert.deepEqual(log, ['A start', 'A end', 'A start', 'A end', 'B start', 'B end', 'B start', 'B end'])
})

test('without --wait-lock the second run fails at once, naming the run that holds the host', async () => {
  await host.sh('rm -f /root/lock-log /root/go-*')
  const firstDone = finished(start(runArgs('A'), dir))
  await started('A')
  const second = await finished(start(runArgs('B'), dir))
  await host.sh('touch /root/go-A')
  assert.equal(second.code, 2)
  assert.match(second.stdout, /is locked by run \d{8}-\d{6}-[0-9a-f]{4} \(controller .+, pid \d+\)/)
  assert.equal((await firstDone).code, 0)
  const log = (await host.sh('cat /root/lock-log')).stdout
  assert.doesNotMatch(log, /B/, 'the refused run touched the host')
})
