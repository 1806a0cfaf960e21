/**
 * Fault: the pid planned for eviction names another process by the time apply runs (recycled).
 * The eviction is pinned to pid AND start time: when the start time does not match, nothing is
 * signalled. The testbed cannot force a kernel to hand out a given pid (/proc/sys is read-only in
 * the hosts), so the planned start time is made not to match the live process instead: to the
 * pin, that is exactly a recycled pid.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { port, type PortChange } from '../../src/modules/port.js'
import type { Transport } from '../../src/transport/types.js'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { contextFor, sshTo } from '../modules/systemd-harness.js'
import { leaseHost } from '../support/testbed.js'
import { ROGUE_TERM_FILE, processAlive, stageSlowRogueFailedUnit } from './support.js'

const host = await leaseHost()
let ssh: Transport | undefined
after(() => ssh?.close())

test('an eviction whose pid no longer has the planned start time signals nothing', async () => {
  const rogue = await stageSlowRogueFailedUnit(host)
  const startTime = async () => (await host.sh(`st=$(cat /proc/${rogue}/stat); set -- \${st##*) }; echo \${20}`)).stdout.trim()
  const before = await startTime()
  ssh = await sshTo(host)
  const ctx = await contextFor(ssh)
  const spec = { port: 8000, owner: UNIT_NAME, grace: 2 }
  const planned = port.diff(spec, await port.probe(ctx, spec))
  const evict = planned.find((c): c is Extract<PortChange, { action: 'evict' }> => c.action === 'evict')
  assert.ok(evict !== undefined && evict.pid === rogue && evict.startTime === before, JSON.stringify(planned))
  const recycled = { ...evict, startTime: String(Number(evict.startTime) + 1) }
  const result = await port.apply!(ctx, recycled, spec)
  assert.deepEqual(result, { data: { pid: rogue, outcome: 'gone' }, failed: undefined })
  // /proc: the same process, never signalled (its SIGTERM handler marks a file; SIGKILL would end it).
  assert.equal(await processAlive(host, rogue), true)
  assert.equal(await startTime(), before)
  assert.equal((await host.sh(`test -e ${ROGUE_TERM_FILE}`)).exitCode, 1, 'no SIGTERM reached it')
  await host.sh(`kill -KILL ${rogue}`)
})
