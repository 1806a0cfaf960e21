/**
 * One host job on a worker: the same engine as `tend run` (convergeHost), with the worker's own
 * transports and the host lock, rebuilt from what the batch carries. Events are collected, not
 * streamed: the controller re-emits them once the job completed, so a killed attempt's events are
 * never counted (at-least-once delivery, counted once).
 */
import type { EngineEvent } from '../engine/events.js'
import { convergeHost } from '../engine/host.js'
import { HostLockSet, lockOwner } from '../engine/host-lock.js'
import { ConnectionCache } from '../engine/connections.js'
import { aloneCoordination, openSession } from '../engine/session.js'
import type { InventoryHost } from '../playbook/model.js'
import type { Transport } from '../transport/types.js'
import { materialize } from './files.js'
import { inventoryOf, secretRegisters, type BatchData, type HostJobProgress, type HostJobResult } from './job.js'

export interface JobEnv {
  /** The worker's own way to reach a host (its SSH keys and known_hosts). */
  readonly connect: (host: InventoryHost) => Promise<Transport>
  /** Aborted only when the worker must quit at once (a second SIGTERM). */
  readonly signal: AbortSignal
  readonly worker: string
  /** Names the holder of the host lock: run id and job id. */
  readonly jobId: string
  /** Told at each task's start and end: if this worker dies, the controller knows what it was doing. */
  readonly onProgress?: (progress: HostJobProgress) => void
}

/**
 * A job waits this long (or --wait-lock, if longer) for its machine's lock: jobs of one run that
 * reach one machine, and a job taken over from a dead worker whose session is still closing, wait
 * for each other instead of failing as a second local run would.
 */
const JOB_LOCK_WAIT_SECONDS = 60

export async function runHostJob(batch: BatchData, hostName: string, env: JobEnv): Promise<HostJobResult> {
  const inventory = inventoryOf(batch)
  const host = inventory.hosts.get(hostName)
  if (host === undefined) throw new Error(`host ${hostName} is not in the batch's inventory`)
  const events: EngineEvent[] = []
  const changed: { task: string; summary: string }[] = []
  const files = await materialize(batch.files, batch.playbookDir)
  const options = { ...batch.options, forks: 1, signal: env.signal, runId: batch.runId, connect: env.connect }
  // The job's own cache and lock: a job is one host's convergence, closed when it ends.
  const connections = new ConnectionCache(() => env.connect)
  const session = openSession({
    playbookFile: batch.playbookFile, playbookDir: files.dir, inventory, options, connections,
    emit: (event) => {
      events.push(event)
      if (event.type === 'task-start') env.onProgress?.({ worker: env.worker, task: event.task, changed })
      if (event.type === 'task-end') {
        for (const change of event.changes) changed.push({ task: event.task, summary: change.summary })
        env.onProgress?.({ worker: env.worker, changed })
      }
    },
    startedAt: new Date(batch.startedAt),
    registered: new Map(Object.entries(batch.registered).map(([name, vars]) => [name, { ...vars }])),
    ...(!batch.options.check && {
      lock: {
        set: new HostLockSet({ waitSeconds: Math.max(batch.options.waitLockSeconds, JOB_LOCK_WAIT_SECONDS), signal: env.signal }),
        owner: lockOwner(`${batch.runId} job ${env.jobId} on ${env.worker}`),
      },
    }),
  })
  const run = session.run
  const place = { play: batch.play, playHosts: batch.playHosts, batchHosts: batch.batchHosts }
  try {
    // Each host converges on its own here (no lockstep across workers): the controller applies the
    // play's policy (max_fail_percentage, any_errors_fatal) between batches.
    const outcome = await convergeHost(run, place, host, aloneCoordination(() => (env.signal.aborted ? 'interrupted' : undefined)))
    const secret = secretRegisters(batch.play)
    const registered = Object.fromEntries(Object.entries(run.registered.get(hostName) ?? {}).filter(([name]) => !secret.has(name)))
    return { outcome, events, registered, worker: env.worker }
  } finally {
    await session.close()
    await connections.closeAll()
    await files.remove()
  }
}
