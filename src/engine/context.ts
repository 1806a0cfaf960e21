import type { BecomeSpec, InventoryHost } from '../playbook/model.js'
import type { ModuleContext } from '../modules/types.js'
import type { Vars } from '../playbook/model.js'
import type { RunContext } from './state.js'
import type { Transport } from '../transport/types.js'

/** A task's deadline and the signal that fires at it or on Ctrl-C, whichever comes first. */
export interface Deadline {
  readonly at: number
  readonly seconds: number
  readonly signal: AbortSignal
}

export function deadlineIn(seconds: number, interrupt: AbortSignal): Deadline {
  const ms = Math.max(1, Math.round(seconds * 1000))
  return { at: Date.now() + ms, seconds, signal: AbortSignal.any([interrupt, AbortSignal.timeout(ms)]) }
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

/** The context a module gets for one attempt of one task on one host. */
export async function moduleContext(
  run: RunContext,
  host: InventoryHost,
  become: BecomeSpec | undefined,
  vars: Vars,
  deadline: Deadline,
  noLog = false,
): Promise<ModuleContext> {
  const transport = await run.connections.get(host)
  const exec = observed(run, host.name, noLog, transport.exec.bind(transport))
  return {
    host: host.name,
    transport,
    signal: deadline.signal,
    deadline: deadline.at,
    runStartedAt: run.startedAt,
    vars,
    playbookDir: run.playbookDir,
    run: (argv, options = {}) =>
      exec(argv, {
        become,
        ...options,
        signal: options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal,
      }),
  }
}
