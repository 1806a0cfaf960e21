/**
 * The engine's typed event stream. Renderers (listr2, plain, --json) subscribe; the engine never
 * prints. `--json` writes each event as one line, so this file is the JSON format's definition.
 */

export type TaskStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable' | 'rescued' | 'ignored'

/** Ansible's recap counters, per host. */
export interface RecapCounters {
  ok: number
  changed: number
  unreachable: number
  failed: number
  skipped: number
  rescued: number
  ignored: number
}

export interface PlannedChange {
  readonly summary: string
  readonly diff?: { readonly path: string; readonly before: string; readonly after: string }
}

export type EngineEvent =
  | { readonly type: 'run-start'; readonly runId: string; readonly playbook: string; readonly check: boolean; readonly time: string }
  | { readonly type: 'play-start'; readonly play: string; readonly hosts: readonly string[] }
  | {
      readonly type: 'batch-start'
      readonly play: string
      /** 1-based. */
      readonly batch: number
      readonly batches: number
      readonly hosts: readonly string[]
    }
  | {
      readonly type: 'task-start'
      readonly play: string
      readonly host: string
      readonly task: string
      readonly handler: boolean
    }
  | {
      readonly type: 'task-end'
      readonly play: string
      readonly host: string
      readonly task: string
      readonly handler: boolean
      readonly status: TaskStatus
      /** Changes made, or under --check the changes that would be made. */
      readonly changes: readonly PlannedChange[]
      /** Why it failed, was skipped or was unreachable. */
      readonly message?: string
      readonly durationMs: number
      /** Registered data; omitted when the task has `no_log`. */
      readonly result?: Readonly<Record<string, unknown>>
    }
  | {
      readonly type: 'play-end'
      readonly play: string
      /** Set when the play stopped early: max_fail_percentage exceeded, any_errors_fatal, interrupt. */
      readonly stopped?: string
    }
  | { readonly type: 'recap'; readonly hosts: Readonly<Record<string, RecapCounters>> }
  | {
      readonly type: 'run-end'
      readonly exitCode: number
      readonly interrupted: boolean
      readonly durationMs: number
    }

export type EmitEvent = (event: EngineEvent) => void

export function emptyCounters(): RecapCounters {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 }
}
