/**
 * The seed incident, fixed by `tend run playbooks/api-recover.yaml` over SSH: a rogue copy of the
 * app outside systemd holds :8000 while the unit loops (or has given up, `failed`).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { leaseHost, stage, type TestHost } from '../support/testbed.js'
import { processExists } from '../modules/systemd-harness.js'
import {
  STABLE_SECONDS, bindErrorsSince, hostNow, portHolders, recover, routeStatuses, sleep, totals, unitProps,
} from './support.js'

const host: TestHost = await leaseHost()
const unitCgroup = `/system.slice/${UNIT_NAME}`

/** What the operator checked by hand after the incident, each from an independent source. */
async function assertRecovered(roguePids: readonly number[]) {
  const runEnded = await hostNow(host)
  for (const pid of roguePids) assert.equal(await processExists(host, pid), false, `rogue ${pid} is gone`)
  const unit = await unitProps(host)
  assert.deepEqual([unit.activeState, unit.subState], ['active', 'running'])
  const holders = await portHolders(host)
  assert.ok(holders.length > 0, 'something listens on :8000')
  for (const h of holders) assert.equal(h.cgroup, unitCgroup, `listener pid ${h.pid} is the unit's`)
  assert.deepEqual(await routeStatuses(host), Array(10).fill(200))
  await sleep(STABLE_SECONDS * 1000)
  assert.equal(await bindErrorsSince(host, runEnded), '', 'no new bind error after the run')
  const later = await unitProps(host)
  assert.deepEqual([later.nRestarts, later.mainPid, later.activeState], [unit.nRestarts, unit.mainPid, 'active'], 'no restart over the window')
}

/** A converged host: the second run changes nothing and signals nothing (MainPID, NRestarts same). */
async function assertSecondRunIsNoOp() {
  const before = await unitProps(host)
  const again = await recover(host)
  assert.equal(again.code, 0, again.stderr)
  assert.deepEqual(totals(again.recap), { ...totals(again.recap), changed: 0, failed: 0, unreachable: 0 })
  assert.equal(totals(again.recap).ok, 7)
  const after = await unitProps(host)
  assert.deepEqual([after.mainPid, after.nRestarts], [before.mainPid, before.nRestarts])
}

test('a unit looping on the bind error is recovered, and a second run changes nothing', async () => {
  const { roguePids } = await stage(host, 'loop')
  const run = await recover(host)
  assert.equal(run.code, 0, run.stdout + run.stderr)
  assert.ok(totals(run.recap).changed >= 1)
  await assertRecovered(roguePids)
  await assertSecondRunIsNoOp()
})

test('a unit that hit its start limit (failed) is recovered', async () => {
  const { roguePids } = await stage(host, 'failed')
  assert.equal((await unitProps(host)).activeState, 'failed')
  const run = await recover(host)
  assert.equal(run.code, 0, run.stdout + run.stderr)
  await assertRecovered(roguePids)
  await assertSecondRunIsNoOp()
})

test('--check names the rogue it would evict, exits with the drift code, and leaves it alive', async () => {
  const { roguePids } = await stage(host, 'loop')
  const run = await recover(host, '--check')
  assert.equal(run.code, 3, run.stdout + run.stderr)
  const summaries = run.events.flatMap((e) => (e.type === 'task-end' ? e.changes.map((c) => c.summary) : []))
  assert.ok(summaries.some((s) => s.includes(`evict pid ${roguePids[0]}`)), summaries.join('\n'))
  assert.equal(totals(run.recap).failed, 0)
  assert.equal(await processExists(host, roguePids[0]!), true, 'the rogue is still alive')
  assert.notEqual((await portHolders(host))[0]?.cgroup, unitCgroup)
})

test('two rogues (IPv4 and IPv6) are both evicted', async () => {
  const { roguePids } = await stage(host, 'second-rogue')
  assert.ok(roguePids.length >= 2)
  const run = await recover(host)
  assert.equal(run.code, 0, run.stdout + run.stderr)
  await assertRecovered(roguePids)
})

test('a stopped, disabled or masked unit is brought back', async () => {
  for (const scenario of ['stopped', 'disabled', 'masked'] as const) {
    await stage(host, scenario)
    const run = await recover(host)
    assert.equal(run.code, 0, `${scenario}: ${run.stdout}${run.stderr}`)
    assert.ok(totals(run.recap).changed >= 1, scenario)
    const enabled = (await host.sh(`systemctl is-enabled ${UNIT_NAME}`)).stdout.trim()
    assert.equal(enabled, 'enabled', scenario)
    assert.deepEqual(await routeStatuses(host), Array(10).fill(200))
  }
})

test('a route answering 500 fails the run and names the route', async () => {
  await stage(host, 'route-500')
  const run = await recover(host, '--step-timeout', '4')
  assert.equal(run.code, 2)
  const failed = run.events.find((e) => e.type === 'task-end' && e.status === 'failed')
  assert.ok(failed?.type === 'task-end' && /\/exchange answered 500/.test(failed.message ?? ''), JSON.stringify(failed))
})
