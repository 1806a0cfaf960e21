/**
 * One host-cycle: the host's warm connection, its lock, then the engine's unit of work
 * (convergeHost) for every play that targets the host, in a context built for this cycle alone.
 * Emits cycle-start, the engine's events tagged with the cycle id, and one cycle-end.
 */
import { dirname, resolve } from 'node:path'
import { convergeHost } from '../engine/host.js'
import { HostBusyError } from '../engine/host-lock.js'
import type { Inventory, InventoryHost, Playbook } from '../playbook/model.js'
import { selectHosts } from '../playbook/patterns.js'
import { UnreachableError, type Transport } from '../transport/types.js'
import { CycleCollector } from './collect.js'
import type { WarmConnections } from './connections.js'
import type { CycleEnd, EmitWatchEvent } from './events.js'
import type { MachineLocks } from './machine-locks.js'
import type { HostOutcome, RunContext, RunOptions } from '../engine/types.js'
import { Connections } from '../engine/connections.js'
import { Halt } from '../engine/halt.js'

/** What every cycle of the current (last good) configuration shares. */
export interface CycleConfig {
  readonly playbook: Playbook
  readonly inventory: Inventory
  /** Everything but connect and signal, which the watch supplies. */
  readonly options: Omit<RunOptions, 'connect' | 'signal' | 'runId'>
}

export interface CycleDeps {
  readonly runId: string
  readonly connections: WarmConnections
  readonly locks: MachineLocks
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

/** The plays targeting the host, converged in order; a host that goes down skips later plays. */
async function convergePlays(config: CycleConfig, deps: CycleDeps, host: InventoryHost, transport: Transport, cycleId: string, collector: CycleCollector): Promise<HostOutcome | undefined> {
  const run: RunContext = {
    playbookFile: config.playbook.file,
    playbookDir: dirname(resolve(config.playbook.file)),
    inventory: config.inventory,
    // deps.signal fires only when the grace period is over: it stops reads and cuts the change in
    // hand alike (the engine lets a first interrupt finish an apply; the watch's stop is `stopping`).
    options: { ...config.options, runId: cycleId, signal: deps.signal, abandon: deps.signal, connect: async () => transport },
    emit: (event) => {
      collector.observe(event)
      deps.emit({ ...event, cycleId })
    },
    startedAt: new Date(),
    connections: new Connections(async () => transport),
    registered: new Map(),
    halt: new Halt(),
    drifted: new Set(),
  }
  let last: HostOutcome | undefined
  for (const play of config.playbook.plays) {
    const playHosts = selectHosts(config.inventory, play.hosts).filter((h) => config.options.limit?.has(h) ?? true)
    if (!playHosts.includes(host.name)) continue
    const coord = { stopped: deps.stopping, slot: <T>(work: () => Promise<T>) => work(), sync: async () => {}, onDown: () => {} }
    // The play's own events, as tend run emits them, scoped to this host-cycle.
    run.emit({ type: 'play-start', play: play.name, hosts: [host.name] })
    last = await convergeHost(run, { play, playHosts, batchHosts: [host.name] }, host, coord)
    run.emit({ type: 'play-end', play: play.name, ...(last.stopped !== undefined && { stopped: last.stopped }) })
    if (last.state !== 'ok' || last.stopped !== undefined) break
  }
  return last
}

/** Runs one cycle and returns its end (also emitted). Never throws. */
export async function runCycle(config: CycleConfig, deps: CycleDeps, host: InventoryHost, cycleId: string): Promise<CycleEnd> {
  const startedAt = Date.now()
  deps.emit({ type: 'cycle-start', cycleId, runId: deps.runId, host: host.name, time: new Date(startedAt).toISOString() })
  const collector = new CycleCollector()
  const finish = (verdict: Pick<CycleEnd, 'outcome' | 'changes' | 'evidence'> & { message?: string }): CycleEnd => {
    const end: CycleEnd = { type: 'cycle-end', cycleId, runId: deps.runId, host: host.name, startedAt, durationMs: Date.now() - startedAt, ...verdict }
    deps.emit(end)
    return end
  }
  const locked = async (transport: Transport) =>
    deps.locks.with(transport, cycleId, () => convergePlays(config, deps, host, transport, cycleId, collector))
  try {
    const warm = deps.connections.isOpen(host.name)
    let outcome: HostOutcome | undefined
    try {
      outcome = await locked(await deps.connections.get(host))
    } catch (error) {
      // A connection kept from an earlier cycle may have dropped in between: reconnect once.
      if (!(error instanceof UnreachableError) || !warm) throw error
      await deps.connections.drop(host.name)
      outcome = await locked(await deps.connections.get(host))
    }
    const verdict = collector.verdict(outcome)
    if (verdict.outcome === 'unreachable') await deps.connections.drop(host.name)
    return finish(verdict)
  } catch (error) {
    if (error instanceof HostBusyError) return finish({ outcome: 'busy', message: error.message, changes: [], evidence: [] })
    if (error instanceof UnreachableError) {
      await deps.connections.drop(host.name)
      return finish({ outcome: 'unreachable', message: errorText(error), changes: [], evidence: [] })
    }
    return finish({ ...collector.verdict(undefined), outcome: 'failed', message: errorText(error) })
  }
}
