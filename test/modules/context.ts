/**
 * A module's context for a test, built by the engine's own builder (src/engine/context.ts
 * moduleContexts + deadlineIn), so what a module sees in a test is what it sees under `tend run`:
 * the same `run` wrapper (become, signals), deadline and round-trip counting. Shared by every
 * module test and by systemd-in-host.ts.
 */
import { Connections } from '../../src/engine/connections.js'
import { deadlineIn, moduleContexts } from '../../src/engine/context.js'
import type { RunContext } from '../../src/engine/types.js'
import type { ModuleContext } from '../../src/modules/types.js'
import type { InventoryHost, Vars } from '../../src/playbook/model.js'
import type { Transport } from '../../src/transport/types.js'

export interface ContextOptions {
  readonly vars?: Vars
  readonly playbookDir?: string
  /** Run every command through `sudo -n -u USER`, as a task with `become` does. */
  readonly become?: string
  /** The task's timeout (default 60 s). */
  readonly timeoutMs?: number
  readonly runStartedAt?: Date
}

/** The fields of a run moduleContexts reads; a test converges one task, outside any play. */
type TaskRun = Pick<RunContext, 'connections' | 'options' | 'startedAt' | 'playbookDir'>

export async function contextFor(transport: Transport, options: ContextOptions = {}): Promise<ModuleContext> {
  const run: TaskRun = {
    connections: new Connections(() => Promise.resolve(transport)),
    options: {} as RunContext['options'], // no -vv: moduleContexts reads only options.onCommand
    startedAt: options.runStartedAt ?? new Date(),
    playbookDir: options.playbookDir ?? process.cwd(),
  }
  const host: InventoryHost = { name: transport.host, vars: {}, groups: ['all'], connection: { kind: 'local' } }
  const deadline = deadlineIn((options.timeoutMs ?? 60_000) / 1000, new AbortController().signal)
  const become = options.become === undefined ? undefined : { user: options.become }
  return (await moduleContexts(run as RunContext, host, become, options.vars ?? {}, deadline)).observe
}
