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

export interface RolloutBudget {
  /** Hosts allowed down in the whole rollout; absent: no budget. */
  readonly allowed?: number
  readonly used: number
}

export type EngineEvent =
  | {
      readonly type: 'run-start'
      readonly runId: string
      readonly playbook: string
      readonly check: boolean
      readonly time: string
      /** `tend resume`: hosts converged by an earlier attempt of this run are not converged again. */
      readonly resumed?: boolean
    }
  | { readonly type: 'play-start'; readonly play: string; readonly hosts: readonly string[] }
  | {
      readonly type: 'batch-start'
      readonly play: string
      /** 1-based. */
      readonly batch: number
      readonly batches: number
      /** Hosts this batch converges now. */
      readonly hosts: readonly string[]
      /** Hosts of the batch an earlier attempt already converged (`tend resume`): not converged again. */
      readonly converged?: readonly string[]
      /** With `rollout:`, the error budget: hosts down so far in the rollout, and how many may be. */
      readonly budget?: RolloutBudget
    }
  | {
      /** The batch plan of a play with `rollout:` or several batches, and what decides between them. */
      readonly type: 'rollout-plan'
      readonly play: string
      readonly batches: readonly (readonly string[])[]
      /** Hosts allowed down in the whole rollout (absent: no budget). */
      readonly errorBudget?: number
      readonly pauseSeconds: number
      readonly recheck: boolean
      /** The gate tasks (modules without apply) a recheck re-runs. */
      readonly gates: readonly string[]
    }
  | { readonly type: 'rollout-pause'; readonly play: string; readonly seconds: number; readonly before: number; readonly batches: number }
  | { readonly type: 'rollout-recheck'; readonly play: string; readonly before: number; readonly batches: number; readonly hosts: readonly string[] }
  | {
      /** A rollout stopped before its next batch; `tend resume` goes on from here. */
      readonly type: 'rollout-halt'
      readonly play: string
      /** The last batch that ran (1-based). */
      readonly batch: number
      readonly batches: number
      readonly reason: string
      /** Hosts of the play not converged: the failed ones and every later batch. */
      readonly left: readonly string[]
      readonly budget: RolloutBudget
    }
  | {
      /** One host is through a play (or a recheck): the run's cursor is written from this. */
      readonly type: 'host-end'
      readonly play: string
      /** 0-based index of the play in the playbook. */
      readonly playIndex: number
      readonly host: string
      readonly batch: number
      readonly state: 'ok' | 'failed' | 'unreachable'
      /** Set when the host stopped before its last task (interrupted, halted): not converged. */
      readonly stopped?: string
      /** A recheck of the play's gates on an already converged host, not a convergence. */
      readonly recheck?: boolean
      /**
       * Round trips to the host while converging it (engine/round-trips.ts): requests in flight
       * together count once. The SSH handshake and the host lock come before and are not counted.
       */
      readonly roundTrips?: number
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
      /** The module the task ran (`file`, `systemd`, `include_tasks`…): a fixed word, where `task` is a rendered name. */
      readonly module?: string
      /** Where the task stands in its play (`2.5`, TaskCommon.index): with module, a label without free text. */
      readonly index?: string
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
  /** Something the operator must know as it happens that is no task's result (a queue worker lost, no worker left). */
  | { readonly type: 'notice'; readonly text: string; readonly host?: string }
  | {
      readonly type: 'run-end'
      readonly exitCode: number
      readonly interrupted: boolean
      readonly durationMs: number
      /** The run's id (again, for the recap). */
      readonly runId?: string
      /** Set when a rollout halted: why, and the exact command that goes on. */
      readonly halted?: { readonly play: string; readonly batch: number; readonly batches: number; readonly reason: string; readonly left: readonly string[] }
      /** The command that continues this run (`tend resume ID …`), when something is left to do. */
      readonly resume?: string
    }

export type EmitEvent = (event: EngineEvent) => void

export function emptyCounters(): RecapCounters {
  return { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 }
}

/**
 * Counts one task-end as Ansible's recap does: its own counter, and `ok` too for a task that
 * changed something or whose failure was ignored (Ansible's `ok=11 changed=4` means 4 of the 11
 * changed). tend keeps Ansible's words in the recap, so it keeps their meaning.
 */
export function countTaskEnd(counters: RecapCounters, status: TaskStatus): void {
  counters[status]++
  if (status === 'changed' || status === 'ignored') counters.ok++
}
