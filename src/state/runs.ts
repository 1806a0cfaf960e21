/** Runs: one row per `tend run` (and per `tend watch` process), with its frozen plan. */
import type { StateStore } from './store.js'

export type RunKind = 'run' | 'watch'
/**
 * `drift`: a --check run that found changes to make (a --check run that found none is `converged`,
 * one with a failed host `failed`). `stopped`: a watch ended by SIGTERM/SIGINT after its running
 * changes finished. `checked` is only in stores written before check runs said what they found.
 */
export type RunStatus = 'running' | 'converged' | 'drift' | 'failed' | 'halted' | 'interrupted' | 'stopped' | 'checked'

export interface RunRecord {
  readonly id: string
  readonly kind: RunKind
  readonly playbook: string
  readonly startedAt: number
  readonly finishedAt?: number
  readonly status: RunStatus
  readonly exitCode?: number
  readonly reason?: string
  readonly controller: string
  readonly pid: number
  /** The frozen plan; its shape belongs to whoever wrote it (rollouts: src/rollout/). */
  readonly plan: unknown
}

interface RunRow {
  id: string
  kind: RunKind
  playbook: string
  started_at: number
  finished_at: number | null
  status: RunStatus
  exit_code: number | null
  reason: string | null
  controller: string
  pid: number
  plan: string
}

const recordOf = (r: RunRow): RunRecord => ({
  id: r.id, kind: r.kind, playbook: r.playbook, startedAt: r.started_at,
  ...(r.finished_at !== null && { finishedAt: r.finished_at }), status: r.status,
  ...(r.exit_code !== null && { exitCode: r.exit_code }), ...(r.reason !== null && { reason: r.reason }),
  controller: r.controller, pid: r.pid, plan: JSON.parse(r.plan) as unknown,
})

export function createRun(store: StateStore, run: Omit<RunRecord, 'finishedAt' | 'exitCode' | 'reason'>): void {
  store.db.prepare(`INSERT INTO runs (id, kind, playbook, started_at, status, controller, pid, plan)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(run.id, run.kind, run.playbook, run.startedAt, run.status, run.controller, run.pid, JSON.stringify(run.plan))
}

export function finishRun(store: StateStore, id: string, end: { status: RunStatus; exitCode: number; reason?: string; finishedAt?: number }): void {
  store.db.prepare('UPDATE runs SET status = ?, exit_code = ?, reason = ?, finished_at = ? WHERE id = ?')
    .run(end.status, end.exitCode, end.reason === undefined ? null : store.withheld.mask(end.reason), end.finishedAt ?? Date.now(), id)
}

export function getRun(store: StateStore, id: string): RunRecord | undefined {
  const row = store.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
  return row === undefined ? undefined : recordOf(row)
}

/** Newest first. */
export function listRuns(store: StateStore, options: { kind?: RunKind; limit?: number } = {}): RunRecord[] {
  const rows = (options.kind === undefined
    ? store.db.prepare('SELECT * FROM runs ORDER BY started_at DESC LIMIT ?').all(options.limit ?? 100)
    : store.db.prepare('SELECT * FROM runs WHERE kind = ? ORDER BY started_at DESC LIMIT ?').all(options.kind, options.limit ?? 100)) as RunRow[]
  return rows.map(recordOf)
}

export interface RunHost {
  readonly play: number
  readonly host: string
  readonly batch: number
  readonly status: string
  readonly message?: string
  readonly updatedAt: number
}

export function setRunHost(store: StateStore, runId: string, entry: Omit<RunHost, 'updatedAt'>): void {
  store.db.prepare(`INSERT INTO run_hosts (run_id, play, host, batch, status, message, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, play, host) DO UPDATE SET batch = excluded.batch, status = excluded.status, message = excluded.message, updated_at = excluded.updated_at`)
    .run(runId, entry.play, entry.host, entry.batch, entry.status, entry.message === undefined ? null : store.withheld.mask(entry.message), Date.now())
}

export function runHosts(store: StateStore, runId: string): RunHost[] {
  const rows = store.db.prepare('SELECT * FROM run_hosts WHERE run_id = ? ORDER BY play, batch, host').all(runId) as
    { play: number; host: string; batch: number; status: string; message: string | null; updated_at: number }[]
  return rows.map((r) => ({ play: r.play, host: r.host, batch: r.batch, status: r.status, ...(r.message !== null && { message: r.message }), updatedAt: r.updated_at }))
}

/** A `tend run --check`: it changed nothing, so there is nothing to resume. */
export function isCheckRun(run: RunRecord): boolean {
  const plan = run.plan as { check?: unknown } | null
  return run.status === 'checked' || (typeof plan === 'object' && plan !== null && plan.check === true)
}

/**
 * Whether `tend resume` can continue the run: a `tend run` (not a watch, not a --check run) that
 * halted, failed or was interrupted, or is marked running under a controller that is gone.
 */
export function isResumable(run: RunRecord, controllerGone: (run: RunRecord) => boolean): boolean {
  if (run.kind !== 'run' || isCheckRun(run)) return false
  return ['halted', 'failed', 'interrupted'].includes(run.status) || (run.status === 'running' && controllerGone(run))
}
