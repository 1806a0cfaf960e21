/**
 * The engine's shared types: what a run is given (RunOptions), what every unit of work of it
 * shares (RunContext), and the shapes its parts hand each other (a host's env and scope, a walk
 * over tasks, probes taken ahead, a batch executor). They live here, below every implementation,
 * so no engine file has to import another only for a type, and the import graph has no cycle.
 */
import type { AnyModule, ModuleContext, ProbeAhead as ProbeAheadSpec } from '../modules/types.js'
import type { BecomeSpec, Inventory, InventoryHost, ModuleTask, Play, Playbook, Task, Vars } from '../playbook/model.js'
import type { Transport, ExecResult } from '../transport/types.js'
import type { EmitEvent, EngineEvent, RecapCounters } from './events.js'
import type { Halt } from './halt.js'
import type { TaskOutcome } from './outcome.js'
import type { RoundTrips } from './round-trips.js'

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
  readonly executor?: BatchExecutor
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
  emit: (event: EngineEvent) => void,
) => Promise<RunSummary>

/** How a unit of work reaches its hosts (a HostSession implements it). */
export interface HostConnections {
  /** The host's transport, the same one for every task; rejects alike once the host was found down. */
  get(host: InventoryHost): Promise<Transport>
  roundTripsOf(host: string): RoundTrips
}

/**
 * What every unit of work of one run shares. Kept to plain data plus the connection cache so a
 * later queue-backed runner can rebuild it per worker.
 */
export interface RunContext {
  readonly playbookFile: string
  readonly playbookDir: string
  readonly inventory: Inventory
  readonly options: RunOptions
  readonly emit: EmitEvent
  readonly startedAt: Date
  /** Each host's one connection for this unit of work, with its lock held (engine/session.ts). */
  readonly connections: HostConnections
  /** Per host, `register:` results; they outlive the play (Ansible: host facts). */
  readonly registered: Map<string, Record<string, unknown>>
  /** Set when the whole run must stop (any_errors_fatal); Ctrl-C is options.signal. */
  readonly halt: Halt
  /**
   * Under --check, the hosts with planned changes so far. A gate after them observes a state the
   * plan would change, so its verdict is reported as pending, not as a failure.
   */
  readonly drifted: Set<string>
  /** run_once, per batch (its hosts' names): each such task's one outcome, shared by the batch's hosts. */
  readonly runOnce: Map<string, Map<ModuleTask, RunOnceSlot>>
  /** --start-at-task: the hosts that reached the task (everything runs for them from there on). */
  readonly startReached: Set<string>
}

/** A run_once task's outcome, settled by the host that runs it, awaited by the others of its batch. */
export interface RunOnceSlot {
  readonly outcome: Promise<TaskOutcome>
  settle(outcome: TaskOutcome): void
}

/** Where a host converges: the play and the hosts it shares the play and batch with. */
export interface PlayPlace {
  readonly play: Play
  readonly playHosts: readonly string[]
  readonly batchHosts: readonly string[]
}

/** How a host came out of a play. */
export interface HostOutcome {
  readonly host: string
  readonly state: 'ok' | 'failed' | 'unreachable'
  /** Why the host stopped before its last task (play halted, run halted, interrupted). */
  readonly stopped?: string
  /** Round trips to the host while converging it (round-trips.ts): 1 for a healthy host. */
  readonly roundTrips: number
}

/** How the play around this host coordinates it; all optional for a host converging alone. */
export interface Coordination {
  /** A reason to start no further task (halted play or run, Ctrl-C); checked before each task. */
  readonly stopped: () => string | undefined
  /** Bounds concurrency: wraps each top-level task (linear) or is identity (free: the pool does). */
  readonly slot: <T>(work: () => Promise<T>) => Promise<T>
  /** Called after each top-level task by every host (linear: lockstep barrier; free: nothing). */
  readonly sync: (step: number) => Promise<void>
  /** Told at once when the host fails or becomes unreachable (any_errors_fatal acts on it). */
  readonly onDown: (state: 'failed' | 'unreachable') => void
}

/**
 * The seam between the engine and where hosts converge. By default a batch's hosts converge in this
 * process (play.ts: forks, strategy). An executor replaces that for one batch: the queue
 * (src/queue/) hands each host to a worker and re-emits the worker's events through `run.emit`,
 * so the recap, renderers and exit codes are those of a local run. The engine never learns how.
 */
export interface BatchHooks {
  /** Why no further host should start (halted play or run, Ctrl-C), checked before each host. */
  readonly stopped: () => string | undefined
  /** Told once per host that failed or became unreachable (any_errors_fatal, max_fail_percentage). */
  readonly onDown: (host: string, state: 'failed' | 'unreachable') => void
  /** Called once per host after its events were emitted (the run's cursor: host-end). */
  readonly done: (outcome: HostOutcome) => void
}

/** Converges `place.batchHosts` with `place.play`; emits every host's events through `run.emit`. */
export type BatchExecutor = (run: RunContext, place: PlayPlace, hooks: BatchHooks) => Promise<readonly HostOutcome[]>

/** What a task inherits from the blocks around it (and the play). */
export interface Scope {
  readonly vars: Vars
  readonly when: readonly string[]
  readonly tags: readonly string[]
  readonly ignoreErrors: boolean
  /** Enclosing blocks' `ignore_errors: "{{ … }}"`, decided with each task's variables. */
  readonly ignoreErrorsTemplates?: readonly string[]
  readonly become?: BecomeSpec
  /** An enclosing block has `no_log`: this task's output is hidden as if it had its own. */
  readonly noLog: boolean
  /** The `environment`s around the task as written, outermost (the play's) first; rendered when it runs. */
  readonly environment?: readonly unknown[]
  /** The nearest enclosing `check_mode` (block, else play); absent: --check decides. */
  readonly checkMode?: boolean
  /** An enclosing block's `timeout`: this task's deadline unless it sets its own. */
  readonly timeoutSeconds?: number
  /** An enclosing block has `rescue:`: a failure here is counted `rescued`, and rescue runs. */
  readonly rescuable: boolean
  /** Role defaults around the task: below every variable defined anywhere else. */
  readonly defaults?: Vars
  /** Loop items of an enclosing include: data, never rendered (they may come from a host). */
  readonly data?: Vars
  /** Files of the include_tasks being run, outermost first: including one again is a cycle. */
  readonly includes?: readonly string[]
}

/** One host in one play: everything a task needs besides itself. */
export interface HostEnv {
  readonly run: RunContext
  readonly host: InventoryHost
  readonly place: PlayPlace
  /** The host's probes taken ahead (absent: every task probes at its own turn). */
  readonly probes?: ProbesAhead
}

/** How a list of tasks ended for a host; `stopped` means a halt or Ctrl-C cut it short. */
export type ListResult = 'ok' | 'failed' | 'unreachable' | 'stopped'

/** One host walking its tasks: where notifications collect and how it learns it must stop. */
export interface Walk {
  readonly env: HostEnv
  readonly notified: Set<string>
  readonly stopped: () => string | undefined
  /** Set by `meta: end_host` / `end_play`: the host's play ends here, without failing it. */
  ended?: 'end_host' | 'end_play'
}

/**
 * A host's probes taken ahead (probe-ahead.ts implements it): planned before each task, taken by
 * the task they belong to, dropped as soon as a change is applied.
 */
export interface ProbesAhead {
  plan(env: HostEnv, tasks: readonly Task[], scope: Scope, from?: number): Promise<void>
  drop(): void
  take(task: ModuleTask, spec: unknown, become: BecomeSpec | undefined): Promise<Prefetched | undefined>
}

/** What a task finds waiting: the results of its commands, or its whole first observation. */
export interface Prefetched {
  /** argv (JSON) → result, each handed out once (ModuleContext.run serves them). */
  readonly served: Map<string, ExecResult>
  readonly observed?: Promise<unknown>
}

/** One upcoming task as the host would run it now, with a context to probe it. */
export interface Upcoming {
  readonly task: ModuleTask
  readonly module: AnyModule
  readonly spec: unknown
  readonly become: BecomeSpec | undefined
  readonly ctx: ModuleContext
  /** What the module said can be taken ahead. */
  readonly ahead: ProbeAheadSpec
  /** Called once its reads taken ahead have settled (clears their deadline). */
  readonly done: () => void
}

/** The tasks inside a task the host walks into with the scope they get (static blocks), or undefined. */
export type Descend = (task: Task, scope: Scope) => { readonly tasks: readonly Task[]; readonly scope: Scope } | undefined
