/**
 * `tend watch --queue`: the schedule lives in Redis. Each host is a BullMQ job scheduler firing
 * once per interval at the host's splay offset (epoch-aligned, as a local watch's slots are);
 * scheduler ids are the same on every controller of a watch, so two controllers for redundancy
 * upsert one schedule and a host converges once per interval. Workers run the cycles; every
 * controller re-emits each finished cycle's events (history, metrics, renderer). The last
 * controller to stop removes the schedule.
 */
import { createHash } from 'node:crypto'
import { basename, dirname, resolve } from 'node:path'
import { Queue, QueueEvents } from 'bullmq'
import { Redis } from 'ioredis'
import type { Registry } from 'prom-client'
import type { CycleConfig } from '../watch/cycle.js'
import { targetedHosts } from '../watch/controller.js'
import type { EmitWatchEvent, WatchEvent } from '../watch/events.js'
import type { FleetSchedule } from '../watch/schedule.js'
import { nextSlot, splayOffset } from '../watch/splay.js'
import { playFiles } from './files.js'
import type { CycleJobResult } from './cycle-job.js'
import type { CycleJobData, WatchConfigData } from './job.js'
import { Liveness } from './liveness.js'
import { queueJobsGauge, workerHostCycles } from '../history/metrics.js'
import type { CycleOutcome } from '../state/cycles.js'
import { BATCHES_QUEUE, HOSTS_QUEUE, PREFIX } from './names.js'
import { connectionOptions, type RedisEndpoint } from './url.js'
import { sealKeyOf, sealVars, type SealKey } from './seal.js'

export interface QueueWatchOptions {
  readonly endpoint: RedisEndpoint
  readonly runId: string
  readonly playbookFile: string
  readonly everyMs: number
  readonly splayMs: number
  readonly rate?: number
  readonly schedule: FleetSchedule
  readonly emit: EmitWatchEvent
  readonly registry: Registry
}

const HEARTBEAT_MS = 2000
const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16)
/** The watch's name in Redis: its playbook's file name (the same on every controller of the watch). */
export const watchKeyOf = (playbookFile: string) => basename(playbookFile).replace(/[^A-Za-z0-9_-]/g, '-')
const schedulerPrefix = (key: string) => `watch.${key}.`
const schedulerId = (key: string, host: string) => `${schedulerPrefix(key)}${hash(host)}`

async function configData(config: CycleConfig, key: SealKey): Promise<WatchConfigData> {
  const { options, inventory, playbook } = config
  const files: Record<string, string> = {}
  const playbookDir = dirname(resolve(playbook.file))
  for (const play of playbook.plays) Object.assign(files, await playFiles(play, playbookDir))
  return {
    playbookFile: playbook.file, playbookDir, plays: playbook.plays,
    inventory: { files: inventory.files, hosts: [...inventory.hosts.values()], groups: [...inventory.groups.values()] },
    options: {
      check: false, diff: false, tags: options.tags, skipTags: options.skipTags, extraVars: {}, sealedExtraVars: sealVars(options.extraVars, key),
      stepTimeoutSeconds: options.stepTimeoutSeconds, waitLockSeconds: 0,
      ...(options.limit !== undefined && { limit: [...options.limit] }),
    },
    files,
  }
}

export class QueueWatch {
  private hosts: string[] = []
  private heartbeat: NodeJS.Timeout | undefined
  private readonly key: string
  private readonly workerCycles: (worker: string, outcome: CycleOutcome) => void

  private constructor(
    private config: CycleConfig,
    private readonly options: QueueWatchOptions,
    private readonly live: Liveness,
    private readonly queue: Queue,
    private readonly batches: Queue,
    private readonly events: QueueEvents,
    private readonly client: Redis,
  ) {
    this.key = watchKeyOf(options.playbookFile)
    queueJobsGauge(options.registry, () => queue.getJobCounts())
    this.workerCycles = workerHostCycles(options.registry)
  }

  static async open(first: CycleConfig, options: QueueWatchOptions): Promise<QueueWatch> {
    const live = await Liveness.check(options.endpoint)
    const connection = connectionOptions(options.endpoint)
    const queue = new Queue(HOSTS_QUEUE, { connection, prefix: PREFIX })
    const batches = new Queue(BATCHES_QUEUE, { connection, prefix: PREFIX })
    const events = new QueueEvents(HOSTS_QUEUE, { connection, prefix: PREFIX })
    const ignore = () => undefined
    queue.on('error', ignore)
    batches.on('error', ignore)
    events.on('error', ignore)
    const client = new Redis(connection)
    client.on('error', ignore)
    await live.race(Promise.all([queue.waitUntilReady(), events.waitUntilReady()]))
    return new QueueWatch(first, options, live, queue, batches, events, client)
  }

  get hostNames(): readonly string[] {
    return this.hosts
  }

  /** Nothing runs here: cycles run on workers. */
  get runningHosts(): string[] {
    return []
  }

  async start(): Promise<void> {
    this.events.on('completed', ({ returnvalue }) => this.completed(returnvalue))
    if (this.options.rate !== undefined) await this.queue.setGlobalRateLimit(Math.max(1, Math.floor(this.options.rate)), Math.max(1000, Math.round(1000 / this.options.rate)))
    await this.publish(this.config)
    // Controllers of the watch: a sorted set scored by when each one's heartbeat runs out.
    const beat = () => void this.client.zadd(this.controllersKey, Date.now() + HEARTBEAT_MS * 3, this.options.runId).catch(() => undefined)
    beat()
    this.heartbeat = setInterval(beat, HEARTBEAT_MS)
    // Redis back after an outage (maybe restarted empty): the schedule is put there again (idempotent).
    this.client.on('ready', () => void this.publish(this.config).catch(() => undefined))
  }

  async reload(config: CycleConfig): Promise<void> {
    this.config = config
    await this.publish(config)
  }

  /** This controller leaves; the last one of the watch takes the schedule out of Redis. */
  async stop(): Promise<void> {
    clearInterval(this.heartbeat)
    const leave = async () => {
      await this.client.zrem(this.controllersKey, this.options.runId)
      await this.client.zremrangebyscore(this.controllersKey, '-inf', Date.now())
      if ((await this.client.zcard(this.controllersKey)) > 0) return
      for (const s of await this.queue.getJobSchedulers()) if (s.key.startsWith(schedulerPrefix(this.key))) await this.queue.removeJobScheduler(s.key)
    }
    // With Redis gone every command would wait for a reconnect: give up after a moment.
    const moment = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref())
    await Promise.race([leave().catch(() => undefined), moment(3000)])
    this.live.close()
    await Promise.race([Promise.allSettled([this.events.close(), this.queue.close(), this.batches.close(), this.client.quit()]), moment(2000)])
  }

  abortRunning(): void {}

  private get controllersKey(): string {
    return `${PREFIX}:watch:${this.key}:controllers`
  }

  /** The configuration as a job of its own (idempotent by content), then one scheduler per host. */
  private async publish(config: CycleConfig): Promise<void> {
    const data = await configData(config, sealKeyOf(this.options.endpoint))
    const configId = `watch.${this.key}.config.${hash(JSON.stringify(data))}`
    await this.live.race(this.batches.add('watch-config', data, { jobId: configId }))
    const hosts = targetedHosts(config)
    const { everyMs, splayMs } = this.options
    for (const host of hosts) {
      const job: CycleJobData = { kind: 'cycle', watchKey: this.key, configId, host }
      await this.live.race(this.queue.upsertJobScheduler(schedulerId(this.key, host), { every: everyMs, offset: splayOffset(host, everyMs, splayMs) },
        { name: host, data: job, opts: { removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } } }))
    }
    const keep = new Set(hosts.map((h) => schedulerId(this.key, h)))
    for (const host of this.hosts) if (!keep.has(schedulerId(this.key, host))) await this.queue.removeJobScheduler(schedulerId(this.key, host))
    this.hosts = hosts
    this.options.schedule.setHosts(hosts)
    const now = Date.now()
    for (const host of hosts) this.options.schedule.update(host, { state: 'waiting', nextRun: nextSlot(host, everyMs, splayMs, now) })
  }

  /** A finished cycle of this watch: its events, as this controller's own. */
  private completed(returnvalue: unknown): void {
    let result: CycleJobResult
    try {
      result = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as CycleJobResult
    } catch {
      return
    }
    if (result?.kind !== 'cycle' || result.watchKey !== this.key) return
    for (const event of result.events) {
      const own = ('runId' in event && (event.type === 'cycle-start' || event.type === 'cycle-end') ? { ...event, runId: this.options.runId } : event) as WatchEvent
      this.options.emit(own)
      if (own.type === 'cycle-end') {
        this.workerCycles(result.worker, own.outcome)
        if (this.hosts.includes(own.host)) {
          this.options.schedule.update(own.host, { state: 'waiting', nextRun: nextSlot(own.host, this.options.everyMs, this.options.splayMs, Date.now()) })
        }
      }
    }
  }
}
