/**
 * Read-side queries for the fleet page (`tend serve`, the page `tend watch` serves): the latest
 * word on every host, cycles newer than an id (the live feed polls by id), per-hour buckets for
 * charts, and a cheap fingerprint that changes when runs or their hosts change.
 */
import type { CycleOutcome, HostCycle } from './cycles.js'
import type { StateStore } from './store.js'

/** The newest cycle of a host, and its newest failure (failed or unreachable), if any. */
export interface HostLatest {
  readonly host: string
  readonly last?: { readonly id: number; readonly outcome: CycleOutcome; readonly startedAt: number; readonly durationMs: number; readonly message?: string }
  readonly lastFailure?: { readonly at: number; readonly outcome: CycleOutcome; readonly message?: string }
  /** The host's newest row in any run (a `tend run` host that no watch cycle covered yet). */
  readonly lastRunHost?: { readonly runId: string; readonly status: string; readonly updatedAt: number; readonly message?: string }
}

interface LatestRow { id: number; host: string; outcome: CycleOutcome; started_at: number; duration_ms: number; message: string | null }

export function hostsLatest(store: StateStore): HostLatest[] {
  const db = store.db
  const last = db.prepare(`SELECT id, host, outcome, started_at, duration_ms, message FROM host_cycles
    WHERE id IN (SELECT MAX(id) FROM host_cycles GROUP BY host)`).all() as LatestRow[]
  const failures = db.prepare(`SELECT id, host, outcome, started_at, duration_ms, message FROM host_cycles
    WHERE id IN (SELECT MAX(id) FROM host_cycles WHERE outcome IN ('failed', 'unreachable') GROUP BY host)`).all() as LatestRow[]
  const runHosts = db.prepare(`SELECT rh.run_id, rh.host, rh.status, rh.updated_at, rh.message FROM run_hosts rh
    JOIN (SELECT host, MAX(updated_at) AS m FROM run_hosts GROUP BY host) x ON x.host = rh.host AND x.m = rh.updated_at`).all() as
    { run_id: string; host: string; status: string; updated_at: number; message: string | null }[]
  const byHost = new Map<string, { -readonly [K in keyof HostLatest]: HostLatest[K] }>()
  const entry = (host: string) => byHost.get(host) ?? byHost.set(host, { host }).get(host)!
  for (const r of last) {
    entry(r.host).last = { id: r.id, outcome: r.outcome, startedAt: r.started_at, durationMs: r.duration_ms, ...(r.message !== null && { message: r.message }) }
  }
  for (const r of failures) entry(r.host).lastFailure = { at: r.started_at, outcome: r.outcome, ...(r.message !== null && { message: r.message }) }
  for (const r of runHosts) {
    entry(r.host).lastRunHost = { runId: r.run_id, status: r.status, updatedAt: r.updated_at, ...(r.message !== null && { message: r.message }) }
  }
  return [...byHost.values()].sort((a, b) => a.host.localeCompare(b.host))
}

/** The highest host-cycle id so far (0 when there is none). */
export function maxCycleId(store: StateStore): number {
  const row = store.db.prepare('SELECT MAX(id) AS m FROM host_cycles').get() as { m: number | null }
  return row.m ?? 0
}

/** Cycles with an id above `afterId`, oldest first: what a live feed has not sent yet. */
export function cyclesAfter(store: StateStore, afterId: number, limit = 500): HostCycle[] {
  const rows = store.db.prepare('SELECT * FROM host_cycles WHERE id > ? ORDER BY id LIMIT ?').all(afterId, limit) as
    { id: number; run_id: string; host: string; started_at: number; duration_ms: number; outcome: CycleOutcome; changes: string; message: string | null; evidence: string }[]
  return rows.map((r) => ({
    id: r.id, runId: r.run_id, host: r.host, startedAt: r.started_at, durationMs: r.duration_ms, outcome: r.outcome,
    changes: JSON.parse(r.changes) as HostCycle['changes'], ...(r.message !== null && { message: r.message }),
    evidence: JSON.parse(r.evidence) as unknown[],
  }))
}

/** One bucket of cycles: counts per outcome and durations, for the page's charts. */
export interface CycleBucket {
  readonly start: number
  readonly cycles: number
  readonly corrected: number
  readonly failed: number
  readonly avgDurationMs: number
  readonly maxDurationMs: number
}

export function cycleBuckets(store: StateStore, options: { sinceMs: number; bucketMs: number; host?: string }): CycleBucket[] {
  const rows = store.db.prepare(`SELECT CAST(started_at / @bucket AS INTEGER) * @bucket AS start, COUNT(*) AS cycles,
      SUM(outcome = 'corrected') AS corrected, SUM(outcome IN ('failed', 'unreachable')) AS failed,
      AVG(duration_ms) AS avg, MAX(duration_ms) AS max
    FROM host_cycles WHERE started_at >= @since AND (@host IS NULL OR host = @host)
    GROUP BY start ORDER BY start`).all({ bucket: Math.max(1, Math.floor(options.bucketMs)), since: options.sinceMs, host: options.host ?? null }) as
    { start: number; cycles: number; corrected: number; failed: number; avg: number; max: number }[]
  return rows.map((r) => ({ start: r.start, cycles: r.cycles, corrected: r.corrected, failed: r.failed, avgDurationMs: Math.round(r.avg), maxDurationMs: r.max }))
}

/**
 * Changes whenever a run starts, finishes, changes status or one of its hosts moves: a poller
 * compares it with the last one instead of re-reading every run.
 */
export function runsFingerprint(store: StateStore): string {
  const runs = store.db.prepare(`SELECT COUNT(*) AS n, MAX(started_at) AS s, MAX(finished_at) AS f,
    (SELECT group_concat(status || coalesce(reason, ''), ',') FROM (SELECT status, reason FROM runs ORDER BY started_at DESC LIMIT 50)) AS st
    FROM runs`).get() as Record<string, unknown>
  const hosts = store.db.prepare('SELECT COUNT(*) AS n, MAX(updated_at) AS u FROM run_hosts').get() as Record<string, unknown>
  return JSON.stringify([runs, hosts])
}

export interface RunHostCounts {
  readonly byStatus: Record<string, number>
  /** The highest batch any host of the run is in. */
  batches: number
  /** The highest batch with a host that started (not pending or skipped): where the run is, or stopped. */
  current: number
}

/** Per run: how many of its hosts are in each status, and its batches so far (one query for a list). */
export function runHostCounts(store: StateStore, runIds: readonly string[]): Map<string, RunHostCounts> {
  const result = new Map<string, RunHostCounts>()
  if (runIds.length === 0) return result
  const rows = store.db.prepare(`SELECT run_id, status, COUNT(*) AS n, MAX(batch) AS b FROM run_hosts
    WHERE run_id IN (${runIds.map(() => '?').join(',')}) GROUP BY run_id, status`).all(...runIds) as { run_id: string; status: string; n: number; b: number }[]
  for (const r of rows) {
    const entry = result.get(r.run_id) ?? result.set(r.run_id, { byStatus: {}, batches: 0, current: 0 }).get(r.run_id)!
    entry.byStatus[r.status] = r.n
    entry.batches = Math.max(entry.batches, r.b)
    if (r.status !== 'pending' && r.status !== 'skipped') entry.current = Math.max(entry.current, r.b)
  }
  return result
}
