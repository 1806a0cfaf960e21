/**
 * A module's context for a test, built by the engine's own builder (src/engine/context.ts
 * moduleContexts + deadlineIn), so what a module sees in a test is what it sees under `tend run`:
 * the same `run` wrapper (become, signals), deadline and round-trip counting. Shared by every
 * module test and by systemd-in-host.ts. The run is a real host session (engine/session.ts) without
 * a lock, as under --check: a module test converges one task, outside any play.
 */
import { ConnectionCache } from '../../src/engine/connections.js'
import { deadlineIn, moduleContexts } from '../../src/engine/context.js'
import { openSession } from '../../src/engine/session.js'
import type { RunOptions } from '../../src/engine/types.js'
import type { ModuleContext } from '../../src/modules/types.js'
import type { InventoryHost, Vars } from '../../src/playbook/model.js'
import type { Transport } from '../../src/transport/types.js'
import { join } from 'node:path'

export interface ContextOptions {
  readonly vars?: Vars
  readonly playbookDir?: string
  /** Run every command through `sudo -n -u USER`, as a task with `become` does. */
  readonly become?: string
  /** The task's timeout (default 60 s). */
  readonly timeoutMs?: number
  readonly runStartedAt?: Date
}

export async function contextFor(transport: Transport, options: ContextOptions = {}): Promise<ModuleContext> {
  const session = openSession({
    playbookFile: join(options.playbookDir ?? process.cwd(), 'test.yaml'),
    inventory: { files: [], hosts: new Map(), groups: new Map() },
    options: {} as RunOptions, // no -vv: moduleContexts reads only options.onCommand
    emit: () => {},
    connections: new ConnectionCache(() => async () => transport),
    startedAt: options.runStartedAt ?? new Date(),
  })
  const host: InventoryHost = { name: transport.host, vars: {}, groups: ['all'], connection: { kind: 'local' } }
  const deadline = deadlineIn((options.timeoutMs ?? 60_000) / 1000, new AbortController().signal)
  const become = options.become === undefined ? undefined : { user: options.become }
  return (await moduleContexts(session.run, host, become, options.vars ?? {}, deadline)).observe
}
