/**
 * One host-cycle of `tend watch --queue` on a worker: watch's own runCycle (warm connection, the
 * host lock per cycle, every play targeting the host), its events collected for the controllers.
 */
import { basename, join } from 'node:path'
import { runCycle, type CycleConfig } from '../watch/cycle.js'
import type { WarmConnections } from '../watch/connections.js'
import type { WatchEvent } from '../watch/events.js'
import type { MachineLocks } from '../watch/machine-locks.js'
import { materialize } from './files.js'
import { inventoryOf, type CycleJobResult, type WatchConfigData } from './job.js'

export interface CycleEnv {
  readonly connections: WarmConnections
  readonly locks: MachineLocks
  readonly worker: string
  readonly watchKey: string
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
