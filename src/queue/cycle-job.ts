/**
 * One host-cycle of `tend watch --queue` on a worker: watch's own runCycle (warm connection, the
 * host lock per cycle, every play targeting the host), its events collected for the controllers.
 */
import { basename, join } from 'node:path'
import { ConnectionCache, type ConnectFactory } from '../engine/connections.js'
import { cycleLocks, runCycle, type CycleConfig, type CycleLocks } from '../watch/cycle.js'
import type { WatchEvent } from '../watch/events.js'
import { materialize } from './files.js'
import { inventoryOf, type WatchConfigData } from './job.js'

/** What a worker answers for a cycle job (queue/watch.ts re-emits its events on the controller). */
export interface CycleJobResult {
  readonly kind: 'cycle'
  readonly watchKey: string
  /** cycle-start, the engine's events, cycle-end: as a local watch emits them. */
  readonly events: readonly WatchEvent[]
  readonly worker: string
}

export interface CycleEnv {
  readonly connections: ConnectionCache
  readonly locks: CycleLocks
  readonly worker: string
  readonly watchKey: string
}

/**
 * What a worker's cycles share: connections kept warm from one interval to the next, as a local
 * watch keeps them, and the worker's one set of host locks.
 */
export function workerCycleEnv(worker: string, connect: ConnectFactory): Omit<CycleEnv, 'watchKey'> {
  return { connections: new ConnectionCache(connect), locks: cycleLocks(`worker ${worker}`), worker }
}

export async function runCycleJob(data: WatchConfigData, hostName: string, cycleId: string, env: CycleEnv): Promise<CycleJobResult> {
  const inventory = inventoryOf(data)
  const host = inventory.hosts.get(hostName)
  if (host === undefined) throw new Error(`host ${hostName} is not in the watch's inventory`)
  const files = await materialize(data.files, data.playbookDir)
  const { limit, waitLockSeconds: _unused, ...options } = data.options
  const config: CycleConfig = {
    // The playbook's directory is where its template sources were re-rooted.
    playbook: { file: join(files.dir, basename(data.playbookFile)), plays: data.plays },
    inventory,
    options: { ...options, forks: 1, ...(limit !== undefined && { limit: new Set(limit) }) },
  }
  const events: WatchEvent[] = []
  try {
    await runCycle(config, {
      runId: env.watchKey, connections: env.connections, locks: env.locks, emit: (event) => events.push(event),
      signal: new AbortController().signal, stopping: () => undefined,
    }, host, cycleId)
    return { kind: 'cycle', watchKey: env.watchKey, events, worker: env.worker }
  } finally {
    await files.remove()
  }
}
