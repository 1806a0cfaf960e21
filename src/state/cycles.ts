/** Host-cycles: every convergence of one host, the drift history `tend history` shows. */
import type { StateStore } from './store.js'

export type CycleOutcome = 'ok' | 'corrected' | 'failed' | 'unreachable' | 'busy'

export interface CycleChange {
  readonly task: string
  /** The task's module (absent in rows recorded before it was kept). */
  readonly module?: string
  /** Where the task stands in its play (`2.5`; absent in rows recorded before it was kept). */
  readonly index?: string
  readonly summary: string
}

export interface HostCycle {
  readonly id?: number
  /** The host-cycle's id in the event stream (watch); absent for rows written without one. */
  readonly cycleId?: string
  readonly runId: string
  readonly host: string
  readonly startedAt: number
  readonly durationMs: number
  readonly outcome: CycleOutcome
  readonly changes: readonly CycleChange[]
  readonly message?: string
  readonly evidence: readonly unknown[]
}

interface CycleRow {
  id: number
  cycle_id: string | null
  run_id: string
  host: string
  started_at: number
  duration_ms: number
  outcome: CycleOutcome
  changes: string
  message: string | null
  evidence: string
}

export function recordCycle(store: StateStore, given: HostCycle): number {
  // What hosts and tasks said is masked; the keys of the row (host, run, outcome) are not text to hide.
  const { withheld } = store
  const cycle = { ...given, changes: withheld.maskDeep(given.changes), ...(given.message !== undefined && { message: withheld.mask(given.message) }), evidence: withheld.maskDeep(given.evidence) }
  const info = store.db.prepare(`INSERT INTO host_cycles (cycle_id, run_id, host, started_at, duration_ms, outcome, changes, message, evidence)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(cycle.cycleId ?? null, cycle.runId, cycle.host, cycle.startedAt, cycle.durationMs, cycle.outcome,
    JSON.stringify(cycle.changes), cycle.message ?? null, JSON.stringify(cycle.evidence))
  return Number(info.lastInsertRowid)
}

export interface CycleQuery {
  /** Exact host names (a pattern is resolved against the inventory by the caller). */
  readonly hosts?: readonly string[]
  readonly sinceMs?: number
  readonly outcomes?: readonly CycleOutcome[]
  readonly limit?: number
}

/** Newest first. */
export function listCycles(store: StateStore, query: CycleQuery = {}): HostCycle[] {
  const where: string[] = []
  const params: unknown[] = []
  if (query.hosts !== undefined) {
    where.push(`host IN (${query.hosts.map(() => '?').join(',') || 'NULL'})`)
    params.push(...query.hosts)
  }
  if (query.sinceMs !== undefined) {
    where.push('started_at >= ?')
    params.push(query.sinceMs)
  }
  if (query.outcomes !== undefined) {
    where.push(`outcome IN (${query.outcomes.map(() => '?').join(',') || 'NULL'})`)
    params.push(...query.outcomes)
  }
  const sql = `SELECT * FROM host_cycles ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY started_at DESC, id DESC LIMIT ?`
  const rows = store.db.prepare(sql).all(...params, query.limit ?? 1000) as CycleRow[]
  return rows.map((r) => ({
    id: r.id, ...(r.cycle_id != null && { cycleId: r.cycle_id }), runId: r.run_id, host: r.host, startedAt: r.started_at, durationMs: r.duration_ms, outcome: r.outcome,
    changes: JSON.parse(r.changes) as CycleChange[], ...(r.message !== null && { message: r.message }),
    evidence: JSON.parse(r.evidence) as unknown[],
  }))
}

/** Deletes cycles older than `beforeMs`; returns how many went. */
export function pruneCycles(store: StateStore, beforeMs: number): number {
  return store.db.prepare('DELETE FROM host_cycles WHERE started_at < ?').run(beforeMs).changes
}

/** Every host name the history mentions (for --host patterns). */
export function cycleHosts(store: StateStore): string[] {
  return (store.db.prepare('SELECT DISTINCT host FROM host_cycles ORDER BY host').all() as { host: string }[]).map((r) => r.host)
}
