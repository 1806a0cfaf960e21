/**
 * The one fold from a host's engine events to what its convergence was: the evidence (each task's
 * status, message and result), the changes made, the first problem, and the outcome word. Every
 * driver folds with it (tend run and resume through the run recorder, a watch cycle, a queue
 * job's events on the controller), so "corrected" or "failed" means the same in the recap,
 * `tend runs`, `tend history`, the page and the metrics.
 *
 * A change is counted whatever the status of the task that made it: a task that changed the host
 * and then failed (ignored or rescued too) still changed it, so a host converged that way was
 * `corrected`, not `ok`.
 */
import type { EngineEvent } from '../engine/events.js'
import type { CycleChange, CycleOutcome } from '../state/cycles.js'

/** One task of the convergence as history keeps it (no result for no_log tasks: the engine left it out). */
export interface TaskEvidence {
  readonly task: string
  readonly status: string
  readonly message?: string
  readonly result?: Readonly<Record<string, unknown>>
}

type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>

export interface FoldVerdict {
  readonly outcome: CycleOutcome
  /** Why it failed or was unreachable: the first failing task and its message. */
  readonly message?: string
  readonly changes: readonly CycleChange[]
  readonly evidence: readonly TaskEvidence[]
}

/** How the engine said the host came out (HostOutcome, or a host-end event). */
export interface HostEnd {
  readonly state: 'ok' | 'failed' | 'unreachable'
  readonly stopped?: string
}

export class ConvergenceFold {
  readonly startedAt = Date.now()
  private readonly changes: CycleChange[] = []
  private readonly evidence: TaskEvidence[] = []
  private failure: string | undefined
  private unreachable: string | undefined
  private first: string | undefined

  observe(event: TaskEnd): void {
    this.evidence.push({
      task: event.task, status: event.status,
      ...(event.message !== undefined && { message: event.message }),
      ...(event.result !== undefined && { result: event.result as Readonly<Record<string, unknown>> }),
    })
    // The engine already masked the changes of no_log tasks.
    for (const c of event.changes) this.changes.push({ task: event.task, ...(event.module !== undefined && { module: event.module }), ...(event.index !== undefined && { index: event.index }), summary: c.summary })
    if (event.status === 'failed') this.failure ??= `${event.task}: ${event.message ?? 'failed'}`
    if (event.status === 'unreachable') this.unreachable ??= `${event.task}: ${event.message ?? 'unreachable'}`
    if (event.status === 'failed' || event.status === 'unreachable') this.first ??= `${event.task}: ${event.message ?? event.status}`
  }

  /** The first problem met, failed or unreachable, whichever came first. */
  get problem(): string | undefined {
    return this.first
  }

  get changed(): boolean {
    return this.changes.length > 0
  }

  /** The verdict once the engine said how the host came out (undefined: it threw, or never started). */
  verdict(host: HostEnd | undefined): FoldVerdict {
    const base = { changes: this.changes, evidence: this.evidence }
    if (host?.state === 'unreachable' || (host === undefined && this.unreachable !== undefined)) {
      return { ...base, outcome: 'unreachable', message: this.unreachable ?? 'unreachable' }
    }
    if (host?.state === 'failed') {
      const stopped = host.stopped === undefined ? undefined : `stopped: ${host.stopped}`
      return { ...base, outcome: 'failed', message: this.failure ?? stopped ?? 'failed' }
    }
    return { ...base, outcome: this.changed ? 'corrected' : 'ok' }
  }
}
