/**
 * `tend worker`: takes host jobs from Redis and converges them with the engine (run-job.ts).
 * Stalled-job recovery is BullMQ's: a worker that dies mid-job stops renewing its lock, and after
 * `stallSeconds` another worker takes the job over. Stopping is graceful: no new job is taken,
 * the jobs in hand run to their end (every running change finishes), then the process exits.
 */
import { hostname } from 'node:os'
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import type { InventoryHost } from '../playbook/model.js'
import type { Transport } from '../transport/types.js'
import { runCycleJob, workerCycleEnv, type CycleJobResult } from './cycle-job.js'
import { unsealed, type BatchData, type CycleJobData, type HostJobData, type HostJobResult, type WatchConfigData } from './job.js'
import { sealKeyOf } from './seal.js'
import { Liveness } from './liveness.js'
import type { WorkerMetrics } from '../history/metrics.js'
import { BATCHES_QUEUE, HOSTS_QUEUE, PREFIX, fenceKey } from './names.js'
import { runHostJob } from './run-job.js'
import { connectionOptions, type RedisEndpoint } from './url.js'

export interface WorkerOptions {
  readonly endpoint: RedisEndpoint
  readonly concurrency: number
  readonly name?: string
  /** Lock duration and stalled-check interval: how soon a dead worker's job is taken over. */
  readonly stallSeconds: number
  /** A fresh `connect` per job: each job opens and closes its own connections. */
  readonly connectFor: (signal: AbortSignal) => (host: InventoryHost) => Promise<Transport>
  readonly log: (line: string) => void
  readonly metrics?: WorkerMetrics
}

export interface RunningWorker {
  readonly name: string
  /** Takes no new job, waits for the jobs in hand, disconnects. */
  stop(): Promise<void>
}

/** A cycle's outcome in the worker's log and metrics terms. */
function cycleState(result: CycleJobResult): 'ok' | 'failed' | 'unreachable' {
  const end = result.events.find((e) => e.type === 'cycle-end')
  const outcome = end?.type === 'cycle-end' ? end.outcome : 'failed'
  return outcome === 'unreachable' ? 'unreachable' : outcome === 'failed' || outcome === 'busy' ? 'failed' : 'ok'
}

/** How long a stopping worker waits for Redis to record its last results. */
const GRACE_MS = 5000

const defaultName = (): string => `${hostname()}-${process.pid}`

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const name = options.name ?? defaultName()
  options.metrics?.know(name)
  const live = await Liveness.check(options.endpoint)
  live.close()
  const connection = connectionOptions(options.endpoint)
  const batches = new Queue<BatchData>(BATCHES_QUEUE, { connection, prefix: PREFIX })
  const fences = new Redis(connection)
  fences.on('error', () => undefined)
  const cache = new Map<string, Promise<unknown>>()
  const never = new AbortController().signal
  const cycles = workerCycleEnv(name, () => options.connectFor(never))
  const key = sealKeyOf(options.endpoint)

  /** The shared data a job names (a batch's parent, or a watch's configuration), cached. */
  async function sharedOf<T>(id: string | undefined, job: Job): Promise<T> {
    if (id === undefined) throw new Error(`job ${job.id} belongs to no batch`)
    let data = cache.get(id)
    if (data === undefined) {
      data = Job.fromId(batches, id).then((parent) => {
        if (parent === undefined) throw new Error(`batch ${id} of job ${job.id} is gone (its controller ended)`)
        return parent.data as unknown
      })
      cache.set(id, data)
      data.catch(() => cache.delete(id))
      // A handful of batches at once is plenty; the oldest is dropped first.
      if (cache.size > 16) cache.delete(cache.keys().next().value as string)
    }
    return data as Promise<T>
  }

  /** A job whose run has ended, or is now another controller's attempt, is dropped before any change. */
  async function checkFence(data: HostJobData, job: Job): Promise<void> {
    const owner = await fences.get(fenceKey(data.runId))
    if (owner === data.attempt) return
    throw new UnrecoverableError(owner === null
      ? `run ${data.runId} has ended: job ${job.id} is left over and is not run`
      : `run ${data.runId} is now attempt ${owner}: job ${job.id} of attempt ${data.attempt} is not run`)
  }

  async function converge(job: Job<HostJobData | CycleJobData>): Promise<HostJobResult | CycleJobResult> {
    const data = job.data
    if (data.kind === 'cycle') {
      const config = unsealed(await sharedOf<WatchConfigData>(data.configId, job), key)
      const cycleId = (job.id ?? `${Date.now()}`).replace(/:/g, '-')
      return runCycleJob(config, data.host, cycleId, { ...cycles, watchKey: data.watchKey })
    }
    await checkFence(data, job)
    const batch = unsealed(await sharedOf<BatchData>(job.parent?.id, job), key)
    return runHostJob(batch, data.host, {
      connect: options.connectFor(never), signal: never, worker: name, jobId: job.id ?? '?',
      onProgress: (progress) => void job.updateProgress(progress as unknown as object).catch(() => undefined),
    })
  }

  let running = 0
  let idle: (() => void) | undefined
  const worker = new Worker<HostJobData | CycleJobData, HostJobResult | CycleJobResult>(HOSTS_QUEUE, async (job) => {
    running++
    const started = Date.now()
    const of = job.data.kind === 'cycle' ? `watch ${job.data.watchKey}` : `run ${job.data.runId}`
    options.log(`job ${job.id}: converging ${job.data.host} (${of}, attempt ${job.attemptsStarted})`)
    options.metrics?.started(name)
    try {
      const result = await converge(job)
      const state = 'outcome' in result ? result.outcome.state : cycleState(result)
      const changed = result.events.filter((e) => e.type === 'task-end' && e.status === 'changed').length
      options.log(`job ${job.id}: ${job.data.host} ${state} (${changed} changed)`)
      options.metrics?.finished(name, state, (Date.now() - started) / 1000)
      return result
    } catch (error) {
      options.log(`job ${job.id}: ${job.data.host} could not run: ${error instanceof Error ? error.message : String(error)}`)
      options.metrics?.finished(name, 'error', (Date.now() - started) / 1000)
      throw error
    } finally {
      if (--running === 0) idle?.()
    }
  }, {
    connection, prefix: PREFIX, name, concurrency: options.concurrency,
    lockDuration: options.stallSeconds * 1000, stalledInterval: options.stallSeconds * 1000, maxStalledCount: 2,
  })
  let down = false
  worker.on('error', (error) => {
    if (down) return
    down = true
    options.log(`Redis at ${options.endpoint.display} unreachable (${error.message}); retrying`)
  })
  worker.on('ready', () => {
    if (down) options.log(`Redis at ${options.endpoint.display} is back`)
    down = false
  })
  batches.on('error', () => undefined)
  await worker.waitUntilReady()
  options.log(`worker ${name}: taking jobs from ${options.endpoint.display} (concurrency ${options.concurrency})`)
  return {
    name,
    async stop() {
      const closed = worker.close()
      const handsFree = running === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve))
      // Once the jobs in hand are done, recording their results needs Redis. If it is gone, leave
      // after a grace period: the unrecorded jobs stall and another worker converges them again.
      const gone = handsFree.then(() => new Promise<'gone'>((resolve) => setTimeout(() => resolve('gone'), GRACE_MS).unref()))
      if ((await Promise.race([closed, gone])) === 'gone') {
        options.log(`Redis at ${options.endpoint.display} did not take the results of the last jobs; they will be converged again by another worker`)
        void worker.close(true)
        fences.disconnect()
        await cycles.connections.closeAll()
        return
      }
      await cycles.connections.closeAll()
      fences.disconnect()
      await Promise.race([batches.close(), new Promise((resolve) => setTimeout(resolve, GRACE_MS).unref())])
    },
  }
}
