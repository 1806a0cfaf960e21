import type { InventoryHost, Inventory, Playbook, Vars } from '../playbook/model.js'
import type { Transport } from '../transport/types.js'
import type { RecapCounters } from './events.js'

/** Everything a run needs besides the playbook and inventory; the CLI builds it from flags. */
export interface RunOptions {
  /** --check: probe and diff only; apply never runs. */
  readonly check: boolean
  /** --diff: include before/after content in change events. */
  readonly diff: boolean
  /** Hosts converging at once. */
  readonly forks: number
  /** --tags / --skip-tags; empty means no filter. */
  readonly tags: readonly string[]
  readonly skipTags: readonly string[]
  /** -e KEY=VALUE|@FILE, highest precedence. */
  readonly extraVars: Vars
  /** --limit, already resolved to host names (undefined: no limit). */
  readonly limit?: ReadonlySet<string>
  /** --step-timeout: default deadline of a task, seconds. */
  readonly stepTimeoutSeconds: number
  /**
   * Aborted on the first Ctrl-C/SIGTERM (or a halt of a long-running caller): no new work starts
   * and reads stop, but a task already applying its changes finishes them (one task's changes are
   * one unit) and verifies them.
   */
  readonly signal: AbortSignal
  /** Aborted on a second interrupt: the change in hand is cut off and reported as such. Absent: never. */
  readonly abandon?: AbortSignal
  /** The run's id (the state store's); names the run in the host lock and the run-start event. */
  readonly runId?: string
  /** --wait-lock: how long to wait for a host another tend holds (0 or absent: fail at once). */
  readonly waitLockSeconds?: number
  /**
   * `tend resume`: which hosts an earlier attempt of this run already converged, per play index.
   * Those are not converged again (a recheck may still re-gate them).
   */
  readonly resume?: { readonly converged: (playIndex: number, host: string) => boolean }
  /** The command that continues this run (shown when a rollout halts or a run is interrupted). */
  readonly resumeCommand?: string
  /** --start-at-task: tasks before the first one with this name (or glob) are not run. */
  readonly startAtTask?: string
  /** -vv: told of each remote command a task runs (never for no_log tasks). */
  readonly onCommand?: (record: CommandRecord) => void
  /** Opens the one connection to a host that every task of the run reuses. */
  readonly connect: (host: InventoryHost) => Promise<Transport>
  /** Converges each batch elsewhere (--queue); absent: in this process. */
  readonly executor?: import('./executor.js').BatchExecutor
}

/** One remote command as -vv/-vvv shows it. */
export interface CommandRecord {
  readonly host: string
  readonly argv: readonly string[]
  readonly durationMs: number
  /** undefined when the command did not finish (timeout, connection lost). */
  readonly exitCode?: number
  readonly stdout: string
  readonly stderr: string
}

export interface RunSummary {
  readonly recap: Readonly<Record<string, RecapCounters>>
  readonly exitCode: number
  readonly interrupted: boolean
  /** Set when a rollout halted before its next batch. */
  readonly halted?: { readonly play: string; readonly batch: number; readonly batches: number; readonly reason: string; readonly left: readonly string[] }
}

/** The engine's entry point (engine/run.ts implements it). */
export type RunPlaybook = (
  playbook: Playbook,
  inventory: Inventory,
  options: RunOptions,
  emit: (event: import('./events.js').EngineEvent) => void,
) => Promise<RunSummary>
