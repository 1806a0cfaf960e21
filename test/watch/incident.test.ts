/**
 * `tend watch playbooks/api-recover.yaml --every 5s` on three test hosts: healthy hosts are left
 * alone, the incident staged on one is fixed by the next cycle, the history and the metrics say
 * so, a host locked by another tend is `busy`, and a `tend run` waits for the watch's cycle.
 */
import assert from 'node:assert/strict'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { UNIT_NAME } from '../../src/testbed/index.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { finished, start } from '../cli/support.js'
import { PLAYBOOK, REPO, portHolders, routeStatuses, unitProps } from '../e2e/support.js'
import { processExists } from '../modules/systemd-harness.js'
import { leaseHosts, stage } from '../support/testbed.js'
import { eventually, getText, history, inventoryOf, killWatch, metricValue, startWatch, withLockHeld } from './support.js'
import { eventLine } from '../support/events.js'

const hosts = await leaseHosts(3)
const [sick, ...healthy] = hosts as [typeof hosts[0], ...typeof hosts]
const dir = mkdtempSync(join(tmpdir(), 'tend-watch-incident-'))
const inventory = join(dir, 'inventory.yaml')
writeFileSync(inventory, inventoryOf(hosts))
const before = await Promise.all(hosts.map(unitProps))
const watch = startWatch(REPO, [PLAYBOOK, '-i', inventory, '--every', '5s', '-e', 'stable_seconds=3', '--forks', '3', '--metrics', '127.0.0.1:0'])
after(() => killWatch(watch))

const cycleEnd = (host: string, outcome?: string) => (e: { type: string; host?: string; outcome?: string }) =>
  e.type === 'cycle-end' && e.host === host && (outcome === undefined || e.outcome === outcome)

test('healthy hosts converge ok every interval and nothing on them is touched', async () => {
  for (const h of hosts) await watch.waitFor(`an ok cycle of ${h.name}`, cycleEnd(h.name, 'ok'))
  const metrics = (await getText(`${await watch.metricsUrl()}/metrics`)).text
  for (const h of hosts) {
    assert.equal(metricValue(metrics, 'tend_host_up', { host: h.name }), 1)
    assert.equal(metricValue(metrics, 'tend_host_converged', { host: h.name }), 1)
    assert.ok((metricValue(metrics, 'tend_host_last_success_timestamp_seconds', { host: h.name }) ?? 0) > 0)
  }
  assert.match(metrics, /tend_host_run_duration_seconds_count \d+/)
  assert.equal((await getText(`${await watch.metricsUrl()}/healthz`)).status, 200)
})

let roguePid = 0

test('a host locked by another tend is recorded busy, not failed', async () => {
  await withLockHeld(sick, async () => {
    roguePid = (await stage(sick, 'loop')).roguePids[0]!
    const mark = watch.events.length
    await watch.waitFor('a busy cycle', (e) => watch.events.indexOf(e as never) >= mark && cycleEnd(sick.name, 'busy')(e))
  })
  const busy = await history(REPO, watch.stateDir, '--status', 'busy', '--host', sick.name)
  assert.ok(busy.length >= 1)
  assert.match(busy[0]!.message ?? '', /locked by run test-holder/)
})

test('the incident staged on one host is fixed by the watch, and only there', async () => {
  const unitCgroup = `/system.slice/${UNIT_NAME}`
  await eventually('the rogue evicted and the unit serving', async () => {
    if (await processExists(sick, roguePid)) return false
    const holders = await portHolders(sick)
    if (holders.length === 0 || holders.some((h) => h.cgroup !== unitCgroup)) return false
    return (await routeStatuses(sick)).every((s) => s === 200)
  })
  await watch.waitFor('the corrected cycle', cycleEnd(sick.name, 'corrected'))
  const corrected = await history(REPO, watch.stateDir, '--host', sick.name)
  assert.equal(corrected.filter((c) => c.outcome === 'corrected').length, 1, JSON.stringify(corrected))
  const cycle = corrected.find((c) => c.outcome === 'corrected')!
  assert.ok(cycle.changes.some((c) => c.summary.includes(`evict pid ${roguePid}`)), JSON.stringify(cycle.changes))
  assert.ok(cycle.cycleId !== undefined && watch.events.some((e) => e.type === 'task-end' && e.cycleId === cycle.cycleId))
  assert.ok(cycle.evidence.length > 0)
  const metrics = (await getText(`${await watch.metricsUrl()}/metrics`)).text
  const port = metricValue(metrics, 'tend_drift_corrected_total', { host: sick.name, task: '1.2', module: 'port' })
  assert.equal(port, 1, metrics)
  assert.ok((metricValue(metrics, 'tend_host_runs_total', { host: sick.name, outcome: 'busy' }) ?? 0) >= 1)
  for (const h of healthy) {
    assert.equal(metricValue(metrics, 'tend_drift_corrected_total', { host: h.name }), undefined)
    const all = await history(REPO, watch.stateDir, '--host', h.name, '--status', 'all')
    assert.ok(all.length >= 1 && all.every((c) => c.outcome === 'ok'), JSON.stringify(all.map((c) => c.outcome)))
  }
  const now = await Promise.all(healthy.map(unitProps))
  assert.deepEqual(now.map((p) => [p.mainPid, p.nRestarts]), before.slice(1).map((p) => [p.mainPid, p.nRestarts]), 'healthy units untouched')
})

test('a tend run against a host the watch is converging waits for the lock; they never interleave', async () => {
  const mark = watch.events.length
  const started = await watch.waitFor('a cycle starting', (e) => watch.events.indexOf(e as never) >= mark && e.type === 'cycle-start' && e.host === sick.name)
  assert.equal(started.type, 'cycle-start')
  const run = start(['run', PLAYBOOK, '-i', inventory, '--limit', sick.name, '-e', 'stable_seconds=3', '--wait-lock', '300', '--json'], REPO)
  const seen: { event: EngineEvent; at: number }[] = []
  let buffer = ''
  run.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const l of lines) if (l.trim()) seen.push({ event: eventLine(l), at: Date.now() })
  })
  const result = await finished(run)
  assert.equal(result.code, 0, result.stderr)
  // tend run takes the lock with its first command: its first task-end is after it holds it.
  const tasks = seen.filter((s) => s.event.type === 'task-end')
  const first = tasks[0]!.at
  const last = tasks.at(-1)!.at
  // Every watch cycle that converged the host (not busy) lies wholly before or after the run's tasks.
  const cycles = new Map<string, { start?: number; end?: number; outcome?: string }>()
  for (const e of watch.events) {
    if ((e.type === 'cycle-start' || e.type === 'cycle-end') && e.host === sick.name) {
      const c = cycles.get(e.cycleId) ?? {}
      if (e.type === 'cycle-start') c.start = e.seenAt
      else {
        c.end = e.seenAt
        c.outcome = e.outcome
      }
      cycles.set(e.cycleId, c)
    }
  }
  const converging = [...cycles.values()].filter((c) => c.outcome !== undefined && c.outcome !== 'busy')
  assert.ok(converging.length > 0)
  for (const c of converging) assert.ok(c.end! <= first || c.start! >= last, `a watch cycle overlapped the run: ${JSON.stringify(c)} vs ${first}..${last}`)
  const waited = cycles.get(started.type === 'cycle-start' ? started.cycleId : '')
  assert.ok(waited?.end !== undefined && waited.end <= first, 'the run started its tasks after the cycle in progress ended')
})

test('SIGTERM ends the watch with exit 0', async () => {
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
  assert.ok(watch.events.some((e) => e.type === 'watch-end' && e.exitCode === 0))
})
