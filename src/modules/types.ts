import type { Duplex } from 'node:stream'
import type { Vars } from '../source.js'
import type { ExecOptions, ExecResult } from '../transport/types.js'

/**
 * What a module gets to talk to one host during one task. No ambient "current host", and no raw
 * transport: the host is reached through `run` and `openTcp` alone, both cut by the task's signal.
 */
export interface ModuleContext {
  /** Inventory name of the host. */
  readonly host: string
  /** Runs argv on the host, with the task's become and signal applied (`options.signal` adds one). */
  readonly run: (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>
  /**
   * A TCP stream opened from the host's own network view (ssh: a direct-tcpip channel), so http and
   * wait_for reach 127.0.0.1:PORT on the host; cut by the task's signal and by `signal` if given.
   */
  readonly openTcp: (address: string, port: number, signal?: AbortSignal) => Promise<Duplex>
  /**
   * The task's deadline, the one way it reaches a module: this signal fires at the deadline or an
   * interrupt (for apply and verify: at the deadline or when the change in hand is abandoned).
   */
  readonly signal: AbortSignal
  /** Milliseconds left before the task's deadline; 0 once it has passed. */
  readonly remainingMs: () => number
  /** When this `tend run` started (journal `since: run-start`). */
  readonly runStartedAt: Date
  /** The host's variables for this task (the template module renders files with them). */
  readonly vars: Vars
  /** Directory of the playbook file: relative `src:` paths resolve against it. */
  readonly playbookDir: string
}

/** One planned change. `summary` is what --check prints, --json emits and tests compare. */
export interface Change {
  readonly action: string
  readonly summary: string
  /** Before/after text for --diff, where the module has content. */
  readonly diff?: { readonly path: string; readonly before: string; readonly after: string }
}

/** What apply may report back, e.g. a command's exit code and output for `register`. */
export interface ApplyResult {
  readonly data?: Readonly<Record<string, unknown>>
  /** A failure found while applying (e.g. non-zero exit); the task fails with this message. */
  readonly failed?: string
}

/**
 * The contract every desired-state kind follows (pyinfra facts/operations, goss, Terraform):
 * probe (read-only, also under --check) → diff (pure) → apply (never under --check) → verify.
 * A module without `apply` is a gate: it passes or fails, polling probe+diff until the deadline.
 */
export interface Module<Spec, Observed, C extends Change = Change> {
  readonly kind: string
  /** Small JSON Schema of the spec; its descriptions are the docs and the validation hints. */
  readonly schema: object
  readonly description: string
  /**
   * `previous`: this attempt's last observation, when there was one (the engine observes again
   * after `again`, and when a gate polls); a watch compares with it, a delay is waited once.
   */
  probe(ctx: ModuleContext, spec: Spec, previous?: Observed): Promise<Observed>
  /**
   * "Not yet, observe again": milliseconds to wait before probing again, passing this observation
   * as `previous`; undefined when the observation is final (the verdict diff judges). The engine
   * owns the wait: an interrupt or the deadline during it cuts the task short (its reason is
   * thrown); once no time is left the last observation is the verdict. Modules never sleep.
   */
  again?(spec: Spec, observed: Observed): number | undefined
  /** Pure: no I/O, no clock. Empty means converged. */
  diff(spec: Spec, observed: Observed): readonly C[]
  apply?(ctx: ModuleContext, change: C, spec: Spec): Promise<ApplyResult | void>
  /**
   * The post-condition after apply, observed once. Absent: the engine re-probes and re-diffs. The
   * engine polls either until no problem is left or the deadline; a verify cut off by the deadline
   * leaves the previous answer as the verdict. Returns the problems left (empty = converged).
   */
  verify?(ctx: ModuleContext, spec: Spec): Promise<readonly string[]>
  /**
   * A gate's own polling window in seconds, from its spec (http `within`): the engine polls
   * probe+diff until this many seconds have passed or the task's deadline, whichever is first.
   */
  pollSeconds?(spec: Spec): number | undefined
  /**
   * Under --check, a change only making it would show (a command's effect): why the task is
   * skipped instead of planned, and its registered data, as Ansible's check mode skips commands.
   * Undefined for this spec (e.g. creates/removes decide): planned as usual.
   */
  unpredictable?(spec: Spec): Unpredictable | undefined
  /** Data for `register` from what was observed (e.g. a unit's properties). */
  facts?(observed: Observed): Readonly<Record<string, unknown>>
  /**
   * How the probe may be taken ahead, with the host's other upcoming probes in one round trip
   * (engine/probe-ahead.ts). Absent, or undefined for this spec: the probe runs at the task's turn.
   */
  probeAhead?(ctx: ModuleContext, spec: Spec): ProbeAhead | undefined
}

/** See Module.unpredictable. */
export interface Unpredictable {
  readonly message: string
  readonly data: Readonly<Record<string, unknown>>
}

/**
 * `commands`: the argv the probe runs first through ctx.run, declared so the engine can run them,
 * with other tasks' commands, as one script; the probe (the parser) then gets each result from
 * ctx.run as if it had run it, once. The probes after an `again` run their commands again: those
 * go to the host. `whole`: the probe is a quick read with no command of its own (http's
 * requests through the connection), started alongside the script.
 */
export type ProbeAhead = { readonly commands: readonly (readonly string[])[] } | { readonly whole: true }

/**
 * A module with its spec type erased, as the registry and the engine hold it. Safe because the
 * engine validates a spec against the module's own schema before calling it.
 */
export type AnyModule = Module<unknown, unknown, Change>
