import type { BecomeSpec, InventoryHost } from '../playbook/model.js'
import type { ModuleContext } from '../modules/types.js'
import type { Vars } from '../playbook/model.js'
import type { RunContext } from './state.js'

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

/** The context a module gets for one attempt of one task on one host. */
export async function moduleContext(
  run: RunContext,
  host: InventoryHost,
  become: BecomeSpec | undefined,
  vars: Vars,
  deadline: Deadline,
): Promise<ModuleContext> {
  const transport = await run.connections.get(host)
  return {
    host: host.name,
    transport,
    signal: deadline.signal,
    deadline: deadline.at,
    runStartedAt: run.startedAt,
    vars,
    playbookDir: run.playbookDir,
    run: (argv, options = {}) =>
      transport.exec(argv, {
        become,
        ...options,
        signal: options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal,
      }),
  }
}
