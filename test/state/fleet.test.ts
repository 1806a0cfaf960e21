/** The fleet page's read queries: latest word per host, cycles after an id, hourly buckets, run fingerprints. */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { recordCycle } from '../../src/state/cycles.js'
import { cycleBuckets, cyclesAfter, hostsLatest, maxCycleId, runHostCounts, runsFingerprint } from '../../src/state/fleet.js'
import { createRun, finishRun, setRunHost } from '../../src/state/runs.js'
import { StateStore } from '../../src/state/store.js'

const HOUR = 3_600_000
const cycle = (host: string, startedAt: number, outcome: 'ok' | 'corrected' | 'failed', message?: string) =>
  ({ runId: 'w', host, startedAt, durationMs: 100, outcome, changes: [], evidence: [], ...(message !== undefined && { message }) })

test('the latest cycle and the latest failure of each host, cycles after an id, and hourly buckets', () => {
  const store = StateStore.open(mkdtempSync(join(tmpdir(), 'tend-state-')))
  assert.equal(maxCycleId(store), 0)
  recordCycle(store, cycle('a', 10 * HOUR, 'failed', 'unit failed'))
  const second = recordCycle(store, cycle('a', 10 * HOUR + 60_000, 'ok'))
  recordCycle(store, cycle('b', 11 * HOUR + 5, 'corrected'))
  const latest = hostsLatest(store)
  assert.deepEqual(latest.map((l) => [l.host, l.last?.outcome, l.lastFailure?.message]), [['a', 'ok', 'unit failed'], ['b', 'corrected', undefined]])
  assert.deepEqual(cyclesAfter(store, second).map((c) => c.host), ['b'])
  assert.equal(maxCycleId(store), second + 1)
  assert.deepEqual(cycleBuckets(store, { sinceMs: 0, bucketMs: HOUR }).map((b) => [b.start, b.cycles, b.corrected, b.failed]),
    [[10 * HOUR, 2, 0, 1], [11 * HOUR, 1, 1, 0]])
  assert.equal(cycleBuckets(store, { sinceMs: 0, bucketMs: HOUR, host: 'b' }).length, 1)
  store.close()
})

test('the runs fingerprint changes when a run starts, a host moves or a run halts; host counts per run', () => {
  const store = StateStore.open(mkdtempSync(join(tmpdir(), 'tend-state-')))
  const prints = [runsFingerprint(store)]
  createRun(store, { id: 'r', kind: 'run', playbook: 'p', startedAt: 1, status: 'running', controller: 'c', pid: 1, plan: {} })
  prints.push(runsFingerprint(store))
  setRunHost(store, 'r', { play: 0, host: 'a', batch: 1, status: 'ok' })
  setRunHost(store, 'r', { play: 0, host: 'b', batch: 2, status: 'pending' })
  prints.push(runsFingerprint(store))
  finishRun(store, 'r', { status: 'halted', exitCode: 6, reason: 'budget' })
  prints.push(runsFingerprint(store))
  assert.equal(new Set(prints).size, prints.length)
  assert.deepEqual(runHostCounts(store, ['r']).get('r'), { byStatus: { ok: 1, pending: 1 }, batches: 2, current: 1 })
  store.close()
})
