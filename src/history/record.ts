/**
 * The run recorder: a subscriber of the engine's events, like the renderers, that writes a run's
 * progress into the state store as it happens. The cursor is each host's status, written when
 * the host finishes (host-end), so a controller killed mid-batch leaves a store that knows which
 * hosts completed. Each completed convergence is also a host-cycle, with its evidence (the task
 * results) for `tend runs RUN_ID`. Writes are synchronous SQLite commits: nothing waits in memory.
 */
import type { EngineEvent } from '../engine/events.js'
import { ExitCode } from '../exit-codes.js'
import { recordCycle } from '../state/cycles.js'
import { finishRun, runHosts, setRunHost, type RunStatus } from '../state/runs.js'
import type { StateStore } from '../state/store.js'
import { ConvergenceFold } from './fold.js'

function statusOfRun(event: Extract<EngineEvent, { type: 'run-end' }>, check: boolean): RunStatus {
  if (event.halted !== undefined) return 'halted'
  if (event.interrupted) return 'interrupted'
  if (event.exitCode === ExitCode.ok) return 'converged'
  return check && event.exitCode === ExitCode.driftFound ? 'drift' : 'failed'
}

export function runRecorder(store: StateStore, runId: string): (event: EngineEvent) => void {
  let check = false
  let playIndex = -1
  let batch = 0
  /** Between a rollout-recheck and the next batch, task events are a recheck, not a convergence. */
  let rechecking = false
  const hosts = new Map<string, ConvergenceFold>()
  const progress = (host: string): ConvergenceFold => {
    let entry = hosts.get(host)
    if (entry === undefined) hosts.set(host, (entry = new ConvergenceFold()))
    return entry
  }
  return (event) => {
    switch (event.type) {
      case 'run-start':
        check = event.check
        return
      case 'play-start':
        playIndex += 1
        return
      case 'batch-start':
        batch = event.batch
        rechecking = false
        return
      case 'rollout-recheck':
        rechecking = true
        return
      case 'task-start':
        if (!rechecking && !check && !hosts.has(event.host)) setRunHost(store, runId, { play: playIndex, host: event.host, batch, status: 'running' })
        progress(event.host)
        return
      case 'task-end':
        progress(event.host).observe(event)
        return
      case 'host-end':
        hostEnd(event, hosts.get(event.host))
        hosts.delete(event.host)
        return
      case 'run-end':
        finishRun(store, runId, {
          status: statusOfRun(event, check), exitCode: event.exitCode,
          ...(event.halted !== undefined && { reason: `batch ${event.halted.batch}/${event.halted.batches}: ${event.halted.reason}` }),
        })
        return
      default:
        return
    }
  }

  function hostEnd(event: Extract<EngineEvent, { type: 'host-end' }>, entry: ConvergenceFold | undefined): void {
    if (check) return
    const problem = entry?.problem
    if (event.recheck === true) {
      // A host that passed its recheck stays converged; one that broke must be converged again.
      if (event.state === 'ok') return
      // The host keeps the batch it converged in (the event carries the batch just finished).
      const batch = runHosts(store, runId).find((h) => h.play === event.playIndex && h.host === event.host)?.batch ?? event.batch
      setRunHost(store, runId, { play: event.playIndex, host: event.host, batch, status: event.state, message: `broke since converged (recheck): ${problem ?? event.state}` })
      return
    }
    if (event.stopped !== undefined && event.state === 'ok') {
      setRunHost(store, runId, { play: event.playIndex, host: event.host, batch: event.batch, status: 'interrupted', message: event.stopped })
      return
    }
    const fold = entry ?? new ConvergenceFold()
    const verdict = fold.verdict(event)
    const status = event.state === 'ok' ? (fold.changed ? 'changed' : 'ok') : event.state
    setRunHost(store, runId, { play: event.playIndex, host: event.host, batch: event.batch, status, ...(problem !== undefined && { message: problem }) })
    recordCycle(store, {
      runId, host: event.host, startedAt: fold.startedAt, durationMs: Date.now() - fold.startedAt, outcome: verdict.outcome,
      changes: verdict.changes, ...(problem !== undefined && { message: problem }), evidence: verdict.evidence,
    })
  }
}

/** The hosts an earlier attempt converged, per play: what `tend resume` does not converge again. */
export function convergedHosts(rows: readonly { play: number; host: string; status: string }[]): (playIndex: number, host: string) => boolean {
  const done = new Set(rows.filter((r) => r.status === 'ok' || r.status === 'changed').map((r) => `${r.play}\u0000${r.host}`))
  return (playIndex, host) => done.has(`${playIndex}\u0000${host}`)
}
