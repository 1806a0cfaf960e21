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
  /** Aborted on Ctrl-C: no new work starts; running commands end or are aborted at their deadline. */
  readonly signal: AbortSignal
  /** The run's id (the state store's); names the run in the host lock and the run-start event. */
  readonly runId?: string
  /** --wait-lock: how long to wait for a host another tend holds (0 or absent: fail at once). */
  readonly waitLockSeconds?: number
  /** --start-at-task: tasks before the first one with this name (or glob) are not run. */
  readonly startAtTask?: string
  /** -vv: told of each remote command a task runs (never for no_log tasks). */
  readonly onCommand?: (record: CommandRecord) => void
  /** Opens the one connection to a host that every task of the run reuses. */
  readonly connect: (host: InventoryHost) => Promise<Transport>
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
}

/** The engine's entry point (engine/run.ts implements it). */
export type RunPlaybook = (
  playbook: Playbook,
  inventory: Inventory,
  options: RunOptions,
  emit: (event: import('./events.js').EngineEvent) => void,
) => Promise<RunSummary>
