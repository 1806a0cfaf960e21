/**
 * `tend run --queue`: the controller's side. Each batch becomes a BullMQ flow (the batch is the
 * parent, its hosts the children); workers converge the hosts; the controller waits for each
 * host's result and re-emits its events through the run's emit, exactly once per host.
 */
import { randomBytes } from 'node:crypto'
import { FlowProducer, Job, Queue, QueueEvents } from 'bullmq'
import { Redis } from 'ioredis'
import { QueueUnavailableError } from './errors.js'
import { playFiles } from './files.js'
import { sealKeyOf } from './seal.js'
import { batchData, type HostJobData, type HostJobProgress, type HostJobResult } from './job.js'
import { Liveness } from './liveness.js'
import { BATCHES_QUEUE, HOSTS_QUEUE, PREFIX, batchJobId, fenceKey, hostJobId } from './names.js'
import { connectionOptions, type RedisEndpoint } from './url.js'
import type { BatchExecutor, BatchHooks, HostOutcome, PlayPlace, RunContext } from '../engine/types.js'

export interface ControllerOptions {
  readonly endpoint: RedisEndpoint
  readonly runId: string
  /** --max-hosts-in-flight: BullMQ's global concurrency of the hosts queue. */
  readonly maxHostsInFlight?: number
  /** --rate: host convergences started per second, BullMQ's global rate limit. */
  readonly rate?: number
  /** --worker-wait: how long hosts may wait while no worker is connected before the run gives up (exit 8). */
  readonly workerWaitMs?: number
}

/** --worker-wait's default. */
export const DEFAULT_WORKER_WAIT_MS = 5 * 60_000
/** How often the controller looks at the workers while hosts wait. */
const WATCHDOG_MS = 1000

/** What the controller knows of one host job it handed out. */
interface Handed {
  readonly host: string
  readonly run: RunContext
  readonly place: PlayPlace
  /** The worker's last report (task running, changes so far). */
  progress?: HostJobProgress
  /** The worker that was converging it when it stalled (it died or lost Redis). */
  lostFrom?: string
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
  const fences = new Redis(connection)
  fences.on('error', ignore)
  // This attempt owns the run's jobs from now on: an earlier attempt's jobs left in Redis are fenced off.
  await live.race(fences.set(fenceKey(options.runId), attempt))
  const handed = new Map<string, Handed>()
  const notice = (entry: Handed, text: string) => entry.run.emit({ type: 'notice', host: entry.host, text })

  events.on('progress', ({ jobId, data }) => {
    const entry = handed.get(jobId)
    if (entry !== undefined && typeof data === 'object') entry.progress = data as unknown as HostJobProgress
  })
  // A worker that died (or lost Redis) stops renewing its job's lock; another worker's stalled
  // check puts the job back in the queue. The lost attempt's events never reach the controller
  // (the recap counts the attempt that finished), so what it changed is said here, from its reports.
  events.on('stalled', ({ jobId }) => {
    const entry = handed.get(jobId)
    if (entry === undefined) return
    const lost = entry.progress
    entry.lostFrom = lost?.worker ?? 'a worker'
    entry.progress = undefined
    const changed = lost?.changed ?? []
    const what = [
      ...(changed.length > 0 ? [`it had changed: ${changed.map((c) => `${c.task} (${c.summary.split('\n')[0]})`).join('; ')}`] : []),
      lost?.task !== undefined ? `it may have changed something more: it was running "${lost.task}"`
        : changed.length === 0 ? 'it may have changed something' : '',
    ].filter((s) => s !== '').join('; ')
    notice(entry, `worker ${entry.lostFrom} lost while converging ${entry.host}: ${what}; the job goes to another worker`)
  })
  events.on('active', ({ jobId }) => {
    const entry = handed.get(jobId)
    if (entry?.lostFrom === undefined) return
    const from = entry.lostFrom
    void Job.fromId(hosts, jobId).then((job) => notice(entry, `worker ${from} lost; host ${entry.host} retried on worker ${job?.processedBy ?? 'another worker'}`), () => undefined)
  })

  /**
   * While hosts wait: with no worker connected, say so once, and after --worker-wait give up (the
   * run is resumable). A dead worker's job is put back only by a live worker's stalled check, so
   * with none left nothing would ever move.
   */
  const workerWaitMs = options.workerWaitMs ?? DEFAULT_WORKER_WAIT_MS
  let noWorkerSince: number | undefined
  let giveUp: (error: Error) => void = () => undefined
  const gaveUp = new Promise<never>((_, reject) => (giveUp = reject))
  gaveUp.catch(() => undefined)
  const watchdog = setInterval(() => {
    if (handed.size === 0) return
    void hosts.getWorkersCount().then((count) => {
      const run = handed.values().next().value?.run
      if (count > 0) {
        if (noWorkerSince !== undefined) run?.emit({ type: 'notice', text: `${count} worker(s) connected again` })
        noWorkerSince = undefined
        return
      }
      if (noWorkerSince === undefined) {
        noWorkerSince = Date.now()
        run?.emit({ type: 'notice', text: `no tend worker is connected to ${options.endpoint.display}: ${handed.size} host(s) wait; giving up in ${Math.round(workerWaitMs / 1000)}s (--worker-wait)` })
      } else if (Date.now() - noWorkerSince >= workerWaitMs) {
        giveUp(new QueueUnavailableError(`no tend worker connected to ${options.endpoint.display} for ${Math.round(workerWaitMs / 1000)}s (--worker-wait)`, 'start tend worker --queue URL'))
      }
    }, () => undefined)
  }, WATCHDOG_MS)
  watchdog.unref()
  const noWorkerNow = async () => (await hosts.getWorkersCount().catch(() => 1)) === 0

  /** Waits for one host's job; on Ctrl-C or a halt a job no worker took yet is withdrawn. */
  async function waitHost(signal: AbortSignal, job: Job<HostJobData, HostJobResult>): Promise<HostJobResult | string | undefined> {
    const withdrawn = new Promise<'withdrawn'>((resolve) => {
      // A job a worker holds cannot be removed; if that worker is dead and no other is left, nothing
      // will ever finish it: stop waiting for it at once (the fence keeps it from running later).
      const withdraw = () => void job.remove().then(() => resolve('withdrawn'), async () => {
        if (await noWorkerNow()) resolve('withdrawn')
      })
      if (signal.aborted) withdraw()
      else signal.addEventListener('abort', withdraw, { once: true })
    })
    try {
      const result = await live.race(Promise.race([job.waitUntilFinished(events), withdrawn, gaveUp]))
      return result === 'withdrawn' ? undefined : (result as HostJobResult)
    } catch (error) {
      if (error instanceof QueueUnavailableError) throw error
      return `job ${job.id} failed: ${error instanceof Error ? error.message : String(error)}`
    }
  }

  const executor: BatchExecutor = async (run, place, hooks: BatchHooks) => {
    if (hooks.stopped() !== undefined) return []
    const id = batchJobId(options.runId, attempt, ++seq)
    const data = batchData(run, place, options.runId, await playFiles(place.play, run.playbookDir), sealKeyOf(options.endpoint))
    const node = await live.race(flows.add({
      name: 'batch', queueName: BATCHES_QUEUE, data, opts: { jobId: id },
      children: place.batchHosts.map((host, index) => ({
        name: host, queueName: HOSTS_QUEUE, data: { runId: options.runId, attempt, host } satisfies HostJobData,
        opts: { jobId: hostJobId(options.runId, attempt, seq, index), attempts: 1, ...KEEP },
      })),
    }))
    const children = (node.children ?? []).map((child) => child.job as Job<HostJobData, HostJobResult>)
    for (const job of children) if (job.id !== undefined) handed.set(job.id, { host: job.data.host, run, place })
    // A halt (any_errors_fatal) withdraws the batch's hosts no worker took yet, as Ctrl-C does.
    const halted = new AbortController()
    const withdraw = AbortSignal.any([run.options.signal, halted.signal])
    const outcomes = await Promise.all(children.map(async (job): Promise<HostOutcome | undefined> => {
      const host = job.data.host
      const result = await waitHost(withdraw, job).finally(() => handed.delete(job.id ?? ''))
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
      clearInterval(watchdog)
      const cleanup = (async () => {
        // The run is over: its token goes (a job left in Redis is then never run), unless a newer attempt owns it.
        if ((await fences.get(fenceKey(options.runId))) === attempt) await fences.del(fenceKey(options.runId))
        fences.disconnect()
        if (options.maxHostsInFlight !== undefined) await hosts.removeGlobalConcurrency().catch(() => undefined)
        if (options.rate !== undefined) await hosts.removeGlobalRateLimit().catch(() => undefined)
        await Promise.allSettled([flows.close(), events.close(), hosts.close(), batches.close()])
      })()
      // With Redis gone, every command would wait for a reconnect: give it a moment, then leave.
      await Promise.race([cleanup, new Promise((resolve) => setTimeout(resolve, 2000).unref())])
    },
  }
}
