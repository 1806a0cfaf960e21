/**
 * One host-cycle: the host's warm connection, its lock, then the engine's unit of work
 * (convergeHost) for every play that targets the host, in a context built for this cycle alone.
 * Emits cycle-start, the engine's events tagged with the cycle id, and one cycle-end.
 */
import type { ConnectionCache } from '../engine/connections.js'
import { HostBusyError, HostLockSet, lockOwner } from '../engine/host-lock.js'
import { aloneCoordination, convergePlays, openSession } from '../engine/session.js'
import type { HostOutcome, RunOptions } from '../engine/types.js'
import type { Inventory, InventoryHost, Playbook } from '../playbook/model.js'
import { UnreachableError } from '../transport/types.js'
import { ConvergenceFold } from '../history/fold.js'
import type { CycleEnd, EmitWatchEvent } from './events.js'

/** What every cycle of the current (last good) configuration shares. */
export interface CycleConfig {
  readonly playbook: Playbook
  readonly inventory: Inventory
  /** Everything but connect and signal, which the watch supplies. */
  readonly options: Omit<RunOptions, 'connect' | 'signal' | 'runId'>
}

/**
 * The process's host locks: cycles on one machine share its flock; no cycle waits for another tend
 * (the set's policy waits 0 s). `holder` names the watch or worker in the owner a busy host shows.
 */
export interface CycleLocks {
  readonly set: HostLockSet
  readonly holder: string
}

/** The locks of a watch or a worker: one set for the process, never waiting. */
export const cycleLocks = (holder: string): CycleLocks => ({ set: new HostLockSet({ waitSeconds: 0 }), holder })

export interface CycleDeps {
  readonly runId: string
  /** Warm: kept from one cycle to the next. */
  readonly connections: ConnectionCache
  readonly locks: CycleLocks
  readonly emit: EmitWatchEvent
  /** Aborted only when the grace period is over: running commands end. */
  readonly signal: AbortSignal
  /** Set on SIGTERM: no further task starts; the task in hand finishes. */
  readonly stopping: () => string | undefined
}

function errorText(error: unknown): string {
  if (error instanceof UnreachableError) return [`${error.reason}: ${error.message}`, error.hint].filter(Boolean).join('\nhint: ')
  return error instanceof Error ? error.message : String(error)
}

/**
 * The cycle's unit of work: a session over the warm connection and the process's locks, the
 * machine's lock taken first (a busy host is `busy`, not a failed task), then every play
 * targeting the host.
 */
async function convergeCycle(config: CycleConfig, deps: CycleDeps, host: InventoryHost, cycleId: string, fold: ConvergenceFold): Promise<HostOutcome | undefined> {
  const session = openSession({
    playbookFile: config.playbook.file,
    inventory: config.inventory,
    // deps.signal fires only when the grace period is over: it stops reads and cuts the change in
    // hand alike (the engine lets a first interrupt finish an apply; the watch's stop is `stopping`).
    options: { ...config.options, runId: cycleId, signal: deps.signal, abandon: deps.signal, connect: (h) => deps.connections.get(h) },
    emit: (event) => {
      if (event.type === 'task-end') fold.observe(event)
      deps.emit({ ...event, cycleId })
    },
    connections: deps.connections,
    lock: { set: deps.locks.set, owner: lockOwner(`${deps.locks.holder} cycle ${cycleId}`) },
  })
  try {
    await session.get(host)
    return await convergePlays(session, host, config.playbook.plays, aloneCoordination(deps.stopping))
  } finally {
    await session.close()
  }
}

/** Runs one cycle and returns its end (also emitted). Never throws. */
export async function runCycle(config: CycleConfig, deps: CycleDeps, host: InventoryHost, cycleId: string): Promise<CycleEnd> {
  const startedAt = Date.now()
  deps.emit({ type: 'cycle-start', cycleId, runId: deps.runId, host: host.name, time: new Date(startedAt).toISOString() })
  const fold = new ConvergenceFold()
  const finish = (verdict: Pick<CycleEnd, 'outcome' | 'changes' | 'evidence'> & { message?: string }): CycleEnd => {
    const end: CycleEnd = { type: 'cycle-end', cycleId, runId: deps.runId, host: host.name, startedAt, durationMs: Date.now() - startedAt, ...verdict }
    deps.emit(end)
    return end
  }
  try {
    const warm = deps.connections.isOpen(host.name)
    let outcome: HostOutcome | undefined
    try {
      outcome = await convergeCycle(config, deps, host, cycleId, fold)
    } catch (error) {
      // A connection kept from an earlier cycle may have dropped in between: reconnect once.
      if (!(error instanceof UnreachableError) || !warm) throw error
      await deps.connections.drop(host.name)
      outcome = await convergeCycle(config, deps, host, cycleId, fold)
    }
    const verdict = fold.verdict(outcome)
    if (verdict.outcome === 'unreachable') await deps.connections.drop(host.name)
    return finish(verdict)
  } catch (error) {
    if (error instanceof HostBusyError) return finish({ outcome: 'busy', message: error.message, changes: [], evidence: [] })
    if (error instanceof UnreachableError) {
      await deps.connections.drop(host.name)
      return finish({ outcome: 'unreachable', message: errorText(error), changes: [], evidence: [] })
    }
    return finish({ ...fold.verdict(undefined), outcome: 'failed', message: errorText(error) })
  }
}
