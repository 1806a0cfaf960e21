/**
 * `tend run --queue`: the controller's side. Each batch becomes a BullMQ flow (the batch is the
 * parent, its hosts the children); workers converge the hosts; the controller waits for each
 * host's result and re-emits its events through the run's emit, exactly once per host.
 */
import { randomBytes } from 'node:crypto'
import { FlowProducer, type Job, Queue, QueueEvents } from 'bullmq'
import { QueueUnavailableError } from './errors.js'
import { playFiles } from './files.js'
import { batchData, type HostJobData, type HostJobResult } from './job.js'
import { Liveness } from './liveness.js'
import { BATCHES_QUEUE, HOSTS_QUEUE, PREFIX, batchJobId, hostJobId } from './names.js'
import { connectionOptions, type RedisEndpoint } from './url.js'
import type { BatchExecutor, BatchHooks, HostOutcome, RunContext } from '../engine/types.js'

export interface ControllerOptions {
  readonly endpoint: RedisEndpoint
  readonly runId: string
  /** --max-hosts-in-flight: BullMQ's global concurrency of the hosts queue. */
  readonly maxHostsInFlight?: number
  /** --rate: host convergences started per second, BullMQ's global rate limit. */
  readonly rate?: number
}

export interface QueueController {
  readonly executor: BatchExecutor
  /** Workers connected when the run started (0: jobs wait until one starts). */
  readonly workers: number
  close(): Promise<void>
}

/** Jobs are kept a while for `tend queue status` and debugging, then BullMQ drops them. */
const KEEP = { removeOnComplete: { age: 3600 }, removeOnFail: { age: 7 * 86400 } }

/** A job that failed as a whole (its worker threw, or it stalled too often) counts as one failed task. */
function failedJob(run: RunContext, place: { play: { name: string } }, host: string, reason: string): HostOutcome {
  const base = { play: place.play.name, host, task: 'converge on a queue worker', handler: false }
  run.emit({ type: 'task-start', ...base })
  run.emit({ type: 'task-end', ...base, status: 'failed', changes: [], message: reason, durationMs: 0 })
  return { host, state: 'failed', roundTrips: 0 }
}

function rateLimit(rate: number): { max: number; duration: number } {
  return rate >= 1 ? { max: Math.floor(rate), duration: 1000 } : { max: 1, duration: Math.round(1000 / rate) }
}

export async function openController(options: ControllerOptions): Promise<QueueController> {
  const live = await Liveness.check(options.endpoint)
  const connection = connectionOptions(options.endpoint)
  const hosts = new Queue(HOSTS_QUEUE, { connection, prefix: PREFIX })
  const batches = new Queue(BATCHES_QUEUE, { connection, prefix: PREFIX })
  const events = new QueueEvents(HOSTS_QUEUE, { connection, prefix: PREFIX })
  const flows = new FlowProducer({ connection, prefix: PREFIX })
  // Reconnect noise is Liveness's to judge; an unhandled 'error' event would crash the process.
  const ignore = () => undefined
  hosts.on('error', ignore)
  batches.on('error', ignore)
  events.on('error', ignore)
  flows.on('error', ignore)
  await live.race(Promise.all([hosts.waitUntilReady(), events.waitUntilReady(), flows.waitUntilReady()]))
  if (options.maxHostsInFlight !== undefined) await live.race(hosts.setGlobalConcurrency(options.maxHostsInFlight))
  if (options.rate !== undefined) {
    const { max, duration } = rateLimit(options.rate)
    await live.race(hosts.setGlobalRateLimit(max, duration))
  }
  const workers = await live.race(hosts.getWorkersCount())
  let seq = 0
  const attempt = randomBytes(2).toString('hex')

  /** Waits for one host's job; on Ctrl-C or a halt a job no worker took yet is withdrawn. */
  async function waitHost(signal: AbortSignal, job: Job<HostJobData, HostJobResult>): Promise<HostJobResult | string | undefined> {
    const withdrawn = new Promise<'withdrawn'>((resolve) => {
      const withdraw = () => void job.remove().then(() => resolve('withdrawn'), () => undefined)
      if (signal.aborted) withdraw()
      else signal.addEventListener('abort', withdraw, { once: true })
    })
    try {
      const result = await live.race(Promise.race([job.waitUntilFinished(events), withdrawn]))
      return result === 'withdrawn' ? undefined : (result as HostJobResult)
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw error
      return `job ${job.id} failed: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  const executor: BatchExecutor = async (run, place, hooks: BatchHooks) => {
    if (hooks.stopped() !== undefined) return []
    const id = batchJobId(options.runId, attempt, ++seq)
    const data = batchData(run, place, options.runId, await playFiles(place.play, run.playbookDir))
    const node = await live.race(flows.add({
      name: 'batch', queueName: BATCHES_QUEUE, data, opts: { jobId: id },
      children: place.batchHosts.map((host, index) => ({
        name: host, queueName: HOSTS_QUEUE, data: { runId: options.runId, host } satisfies HostJobData,
        opts: { jobId: hostJobId(options.runId, attempt, seq, index), attempts: 1, ...KEEP },
      })),
    }))
    const children = (node.children ?? []).map((child) => child.job as Job<HostJobData, HostJobResult>)
    // A halt (any_errors_fatal) withdraws the batch's hosts no worker took yet, as Ctrl-C does.
    const halted = new AbortController()
    const withdraw = AbortSignal.any([run.options.signal, halted.signal])
    const outcomes = await Promise.all(children.map(async (job): Promise<HostOutcome | undefined> => {
      const host = job.data.host
      const result = await waitHost(withdraw, job)
      if (result === undefined) return undefined
      const outcome = typeof result === 'string' ? failedJob(run, place, host, result) : result.outcome
      if (typeof result !== 'string') {
        for (const event of result.events) run.emit(event)
        run.registered.set(host, { ...run.registered.get(host), ...result.registered })
      }
      if (outcome.state !== 'ok') hooks.onDown(host, outcome.state)
      hooks.done(outcome)
      if (hooks.stopped() !== undefined) halted.abort()
      return outcome
    }))
    await node.job.remove({ removeChildren: false }).catch(() => undefined)
    return outcomes.filter((o) => o !== undefined)
  }

  return {
    executor,
    workers,
    async close() {
      live.close()
      const cleanup = (async () => {
        if (options.maxHostsInFlight !== undefined) await hosts.removeGlobalConcurrency().catch(() => undefined)
        if (options.rate !== undefined) await hosts.removeGlobalRateLimit().catch(() => undefined)
        await Promise.allSettled([flows.close(), events.close(), hosts.close(), batches.close()])
      })()
      // With Redis gone, every command would wait for a reconnect: give it a moment, then leave.
      await Promise.race([cleanup, new Promise((resolve) => setTimeout(resolve, 2000).unref())])
    },
  }
}
