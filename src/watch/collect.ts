/**
 * Folds one host-cycle's engine events into its outcome: the engine's task-end events are the
 * only source (no second path recomputing what happened). `corrected` when a task changed
 * something, `failed` / `unreachable` as the host came out, with the first message saying why.
 */
import type { EngineEvent } from '../engine/events.js'
import type { CycleChange, CycleOutcome } from '../state/cycles.js'
import type { TaskEvidence } from './events.js'
import type { HostOutcome } from '../engine/types.js'

export class CycleCollector {
  private readonly changes: CycleChange[] = []
  private readonly evidence: TaskEvidence[] = []
  private failure: string | undefined
  private unreachable: string | undefined

  observe(event: EngineEvent): void {
    if (event.type !== 'task-end') return
    // The engine already left out the result of no_log tasks and masked their changes.
    this.evidence.push({ task: event.task, status: event.status, ...(event.result !== undefined && { result: event.result }) })
    if (event.status === 'changed') for (const c of event.changes) this.changes.push({ task: event.task, summary: c.summary })
    if (event.status === 'failed') {
      this.failure ??= `${event.task}: ${event.message ?? 'failed'}`
      for (const c of event.changes) this.changes.push({ task: event.task, summary: c.summary })
    }
    if (event.status === 'unreachable') this.unreachable ??= event.message ?? 'unreachable'
  }

  /** The cycle's verdict once convergeHost returned (or threw). */
  verdict(host: HostOutcome | undefined): { outcome: CycleOutcome; message?: string; changes: readonly CycleChange[]; evidence: readonly TaskEvidence[] } {
    const base = { changes: this.changes, evidence: this.evidence }
    const stopped = host?.stopped === undefined ? undefined : `stopped: ${host.stopped}`
    if (host?.state === 'unreachable' || (host === undefined && this.unreachable !== undefined)) {
      return { ...base, outcome: 'unreachable', message: this.unreachable ?? 'unreachable' }
    }
    if (host?.state === 'failed') return { ...base, outcome: 'failed', message: this.failure ?? stopped ?? 'failed' }
    return { ...base, outcome: this.changes.length > 0 ? 'corrected' : 'ok' }
  }
}
