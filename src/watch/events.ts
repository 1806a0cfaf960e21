/**
 * What `tend watch` says, on top of the engine's own events: every engine event of a host-cycle
 * carries that cycle's id, and each cycle ends with one `cycle-end` naming its outcome. The
 * history, the metrics, the schedule and the renderers all subscribe to this one stream.
 */
import type { TaskEvidence } from '../history/fold.js'
import type { Diagnostic } from '../errors.js'
import type { EngineEvent } from '../engine/events.js'
import type { CycleChange, CycleOutcome } from '../state/cycles.js'

/** What a host-cycle leaves behind: the row `tend history` shows. */
export interface CycleEnd {
  readonly type: 'cycle-end'
  readonly cycleId: string
  readonly runId: string
  readonly host: string
  readonly outcome: CycleOutcome
  /** ms since the epoch. */
  readonly startedAt: number
  readonly durationMs: number
  /** Changes applied (corrected), or what remained when the cycle failed. */
  readonly changes: readonly CycleChange[]
  /** Why it failed, was unreachable or busy; why it stopped early. */
  readonly message?: string
  /** The probe's evidence: per task, its status and registered result (none for no_log tasks). */
  readonly evidence: readonly TaskEvidence[]
}

export type { TaskEvidence }

export type WatchEvent =
  | (EngineEvent & { readonly cycleId: string })
  | {
      readonly type: 'watch-start'
      readonly runId: string
      readonly playbook: string
      readonly everyMs: number
      readonly hosts: readonly string[]
      readonly time: string
      /** Where /metrics and /healthz are served (--metrics). */
      readonly metrics?: string
    }
  | { readonly type: 'cycle-start'; readonly cycleId: string; readonly runId: string; readonly host: string; readonly time: string }
  | CycleEnd
  /** Once per interval: the cycles that ended in it, by outcome. */
  | { readonly type: 'watch-summary'; readonly time: string; readonly outcomes: Readonly<Record<CycleOutcome, number>>; readonly hosts: number }
  /** SIGHUP: the playbook and inventory were read again; `applied` false keeps the last good ones. */
  | { readonly type: 'reload'; readonly applied: boolean; readonly hosts: number; readonly diagnostics: readonly Diagnostic[] }
  | { readonly type: 'watch-stopping'; readonly signal: string; readonly running: readonly string[] }
  | { readonly type: 'watch-end'; readonly exitCode: number; readonly time: string }

export type EmitWatchEvent = (event: WatchEvent) => void

export const noOutcomes = (): Record<CycleOutcome, number> => ({ ok: 0, corrected: 0, failed: 0, unreachable: 0, busy: 0 })
