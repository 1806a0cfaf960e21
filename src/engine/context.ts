import type { BecomeSpec, InventoryHost } from '../playbook/model.js'
import type { ModuleContext } from '../modules/types.js'
import type { Vars } from '../playbook/model.js'
import type { ExecResult, Transport } from '../transport/types.js'
import { argvKey } from './probe-script.js'
import { timeoutSignal } from '../transport/timeout-signal.js'
import type { RunContext } from './types.js'

/**
 * A task's deadline and the two signals it cuts: `signal` (reads: probes, gates) fires at the
 * deadline or the first interrupt; `change` (apply, then verify) fires at the deadline or when the
 * change in hand is abandoned (a second interrupt), never at the first one: running changes finish.
 */
export interface Deadline {
  readonly at: number
  readonly seconds: number
  readonly signal: AbortSignal
  readonly change: AbortSignal
  /** The work is over: the deadline's timer goes (see timeout-signal.ts). */
  clear(): void
}

const NEVER = new AbortController().signal

export function deadlineIn(seconds: number, interrupt: AbortSignal, abandon: AbortSignal = NEVER): Deadline {
  const ms = Math.max(1, Math.round(seconds * 1000))
  const timeout = timeoutSignal(ms)
  return {
    at: Date.now() + ms,
    seconds,
    signal: AbortSignal.any([interrupt, timeout.signal]),
    change: AbortSignal.any([abandon, timeout.signal]),
    clear: timeout.clear,
  }
}

/** -vv: each command with its duration and exit code, reported after it ends; none for no_log. */
function observed(run: RunContext, host: string, noLog: boolean, exec: Transport['exec']): Transport['exec'] {
  const report = run.options.onCommand
  if (report === undefined || noLog) return exec
  return async (argv, options) => {
    const started = Date.now()
    try {
      const result = await exec(argv, options)
      report({ host, argv, durationMs: Date.now() - started, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr })
      return result
    } catch (error) {
      report({ host, argv, durationMs: Date.now() - started, stdout: '', stderr: error instanceof Error ? error.message : String(error) })
      throw error
    }
  }
}

/** What a module gets to read the host, and what it gets to change it: the same but for the signal. */
export interface TaskContexts {
  readonly observe: ModuleContext
  readonly change: ModuleContext
}

/**
 * Results taken ahead (probe-ahead.ts) are handed out first, each once, to the command they are
 * the result of; everything else goes to the host.
 */
function servedFirst(served: Map<string, ExecResult> | undefined, exec: Transport['exec']): Transport['exec'] {
  if (served === undefined || served.size === 0) return exec
  return (argv, options) => {
    const key = argvKey(argv)
    const result = served.get(key)
    if (result === undefined) return exec(argv, options)
    served.delete(key)
    return Promise.resolve(result)
  }
}

/** The task's signal, and the caller's own on top when it has one (a request's timeout). */
const alsoCutBy = (signal: AbortSignal, own: AbortSignal | undefined): AbortSignal => (own ? AbortSignal.any([signal, own]) : signal)

/**
 * A module's one way to the host and to the deadline: `run` and `openTcp` over the host's
 * transport, both cut by `signal`, and the time left before `at`. The transport itself stays here.
 */
function contextFor(
  run: RunContext, host: InventoryHost, transport: Transport, become: BecomeSpec | undefined, vars: Vars, at: number, signal: AbortSignal,
  noLog: boolean, served?: Map<string, ExecResult>, environment?: Readonly<Record<string, string>>,
): ModuleContext {
  // The environment is added beneath what -vv shows: its values are often credentials (proxies, tokens).
  const onHost: Transport['exec'] = (argv, options) => transport.exec(underEnvironment(argv, environment), options)
  const exec = servedFirst(served, observed(run, host.name, noLog, onHost))
  return {
    host: host.name,
    signal,
    remainingMs: () => Math.max(0, at - Date.now()),
    runStartedAt: run.startedAt,
    vars,
    playbookDir: run.playbookDir,
    run: (argv, options = {}) => exec(argv, { become, ...options, signal: alsoCutBy(signal, options.signal) }),
    openTcp: (address, port, own) => transport.openTcp(address, port, alsoCutBy(signal, own)),
  }
}

/**
 * Where `local_action` (delegate_to: localhost) runs: the inventory's `localhost` when it has
 * one, else Ansible's implicit localhost, this machine without SSH.
 */
function localhostOf(run: RunContext): InventoryHost {
  return run.inventory.hosts.get('localhost') ?? { name: 'localhost', vars: {}, groups: ['all', 'ungrouped'], connection: { kind: 'local' } }
}

/** The contexts a module gets for one attempt of one task on one host (or on localhost, delegated). */
export async function moduleContexts(
  run: RunContext,
  host: InventoryHost,
  become: BecomeSpec | undefined,
  vars: Vars,
  deadline: Deadline,
  noLog = false,
  served?: Map<string, ExecResult>,
  environment?: Readonly<Record<string, string>>,
  delegateLocal = false,
): Promise<TaskContexts> {
  const transport = await run.connections.get(delegateLocal ? localhostOf(run) : host)
  return {
    observe: contextFor(run, host, transport, become, vars, deadline.at, deadline.signal, noLog, served, environment),
    change: contextFor(run, host, transport, become, vars, deadline.at, deadline.change, noLog, undefined, environment),
  }
}

/**
 * argv run under `environment` (Ansible's keyword): env(1) sets the variables, after become's
 * sudo, so they reach the command itself. Names are checked; values travel as argv, never a shell word.
 */
function underEnvironment(argv: readonly string[], environment: Readonly<Record<string, string>> | undefined): readonly string[] {
  if (environment === undefined) return argv
  return ['env', ...Object.entries(environment).map(([name, value]) => `${name}=${value}`), ...argv]
}
