/**
 * A run's progress beyond runs.ts: resuming a run (same id, a new controller process), replacing
 * its plan (--replan), finding the latest unfinished one, and the host-cycles of one run.
 */
import type { StateStore } from './store.js'
import { listCycles, type HostCycle } from './cycles.js'
import { isResumable, listRuns, type RunRecord } from './runs.js'

/** A run continues under a new controller process: running again, not finished. */
export function reopenRun(store: StateStore, id: string, owner: { controller: string; pid: number }): void {
  store.db.prepare("UPDATE runs SET status = 'running', exit_code = NULL, reason = NULL, finished_at = NULL, controller = ?, pid = ? WHERE id = ?")
    .run(owner.controller, owner.pid, id)
}

export function replacePlan(store: StateStore, id: string, plan: unknown): void {
  store.db.prepare('UPDATE runs SET plan = ? WHERE id = ?').run(JSON.stringify(plan), id)
}

/** Runs that `tend resume` may continue: halted, failed, interrupted, or running under a controller that is gone. */
export function unfinishedRuns(store: StateStore, controllerGone: (run: RunRecord) => boolean): RunRecord[] {
  return listRuns(store, { kind: 'run', limit: 1000 }).filter((run) => isResumable(run, controllerGone))
}

/** Every convergence of the run's hosts, newest first. */
export function cyclesOfRun(store: StateStore, runId: string): HostCycle[] {
  const ids = store.db.prepare('SELECT id FROM host_cycles WHERE run_id = ?').all(runId) as { id: number }[]
  if (ids.length === 0) return []
  const wanted = new Set(ids.map((r) => r.id))
  const hosts = [...new Set((store.db.prepare('SELECT DISTINCT host FROM host_cycles WHERE run_id = ?').all(runId) as { host: string }[]).map((r) => r.host))]
  return listCycles(store, { hosts, limit: 100_000 }).filter((c) => c.id !== undefined && wanted.has(c.id))
}
