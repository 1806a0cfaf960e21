/**
 * The watch loop: each host is queued once per interval at its splay slot, `forks` workers take
 * hosts from the work queue (never one host twice at once), `--rate` paces the starts, and an
 * unreachable host is retried with exponential backoff up to the interval. Stopping hands out no
 * new host and waits for the cycles in progress.
 */
import { setMaxListeners } from 'node:events'
import { selectHosts } from '../playbook/patterns.js'
import { Backoff } from './backoff.js'
import type { ConnectionCache } from '../engine/connections.js'
import { runCycle, type CycleConfig, type CycleLocks } from './cycle.js'
import { noOutcomes, type EmitWatchEvent } from './events.js'
import { WorkQueue } from './queue.js'
import { StartRate } from './rate.js'
import type { FleetSchedule } from './schedule.js'
import { nextSlot } from './splay.js'

export interface WatchSettings {
  readonly runId: string
  readonly everyMs: number
  readonly splayMs: number
  /** Host convergences started per second across the fleet (undefined: no cap). */
  readonly rate?: number
  readonly forks: number
}

/** Hosts the playbook targets on this inventory, within --limit, in inventory order. */
export function targetedHosts(config: CycleConfig): string[] {
  const targeted = new Set(config.playbook.plays.flatMap((play) => selectHosts(config.inventory, play.hosts)))
  return [...config.inventory.hosts.keys()].filter((h) => targeted.has(h) && (config.options.limit?.has(h) ?? true))
}

const FIRST_RETRY_MS = 1000

export class WatchController {
  private readonly queue = new WorkQueue<string>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly backoff: Backoff
  private readonly rate: StartRate
  private readonly stopWork = new AbortController()
  private readonly hardStop = new AbortController()
  private stopReason: string | undefined
  private workers: Promise<void>[] = []
  private summaryTimer: NodeJS.Timeout | undefined
  private hosts: string[] = []
  private seq = 0
  private interval = noOutcomes()

  constructor(
    private config: CycleConfig,
    private readonly settings: WatchSettings,
    private readonly deps: { connections: ConnectionCache; locks: CycleLocks; schedule: FleetSchedule; emit: EmitWatchEvent },
  ) {
    // Every running task of every host-cycle listens on it (its deadline is tied to it): no leak.
    setMaxListeners(0, this.hardStop.signal)
    this.backoff = new Backoff(FIRST_RETRY_MS, settings.everyMs)
    this.rate = new StartRate(settings.rate)
  }

  get hostNames(): readonly string[] {
    return this.hosts
  }

  start(): void {
    this.setHosts(targetedHosts(this.config))
    this.workers = Array.from({ length: this.settings.forks }, () => this.work())
    this.summaryTimer = setInterval(() => this.summarize(), this.settings.everyMs)
  }

  /** A validated new configuration: cycles starting from now use it; running ones finish on the old. */
  async reload(config: CycleConfig): Promise<void> {
    this.config = config
    const hosts = targetedHosts(config)
    this.setHosts(hosts)
    await this.deps.connections.keepOnly(new Set(hosts))
  }

  /** No new cycle starts; the task in hand of each running cycle finishes. Resolves when all ended. */
  async stop(reason: string): Promise<void> {
    this.stopReason ??= reason
    this.stopWork.abort()
    for (const timer of this.timers.values()) clearTimeout(timer)
    this.timers.clear()
    clearInterval(this.summaryTimer)
    this.queue.shutDown()
    await Promise.all(this.workers)
  }

  /** Past the grace period: running commands are aborted. */
  abortRunning(): void {
    this.hardStop.abort(new Error('grace period over'))
  }

  get runningHosts(): string[] {
    return this.deps.schedule.snapshot().hosts.filter((h) => h.state === 'running').map((h) => h.host)
  }

  private setHosts(hosts: string[]): void {
    const keep = new Set(hosts)
    for (const [host, timer] of this.timers) {
      if (keep.has(host)) continue
      clearTimeout(timer)
      this.timers.delete(host)
    }
    const added = hosts.filter((h) => !this.hosts.includes(h))
    this.hosts = hosts
    this.deps.schedule.setHosts(hosts)
    const now = Date.now()
    for (const host of added) this.scheduleAt(host, nextSlot(host, this.settings.everyMs, this.settings.splayMs, now), 'waiting')
  }

  private scheduleAt(host: string, at: number, state: 'waiting' | 'backoff'): void {
    if (this.stopReason !== undefined) return
    clearTimeout(this.timers.get(host))
    const timer = setTimeout(() => {
      this.timers.delete(host)
      if (!this.hosts.includes(host)) return
      this.deps.schedule.update(host, { state: 'queued', nextRun: undefined })
      this.queue.add(host)
    }, Math.max(0, at - Date.now()))
    this.timers.set(host, timer)
    this.deps.schedule.update(host, { state, nextRun: at })
  }

  private async work(): Promise<void> {
    for (;;) {
      const host = await this.queue.get()
      if (host === undefined) return
      try {
        if (!(await this.rate.take(this.stopWork.signal))) continue
        await this.cycle(host)
      } finally {
        this.queue.done(host)
      }
    }
  }

  private async cycle(name: string): Promise<void> {
    const host = this.config.inventory.hosts.get(name)
    if (host === undefined) return
    const cycleId = `${this.settings.runId}-${++this.seq}`
    const deps = {
      runId: this.settings.runId, connections: this.deps.connections, locks: this.deps.locks, emit: this.deps.emit,
      signal: this.hardStop.signal, stopping: () => this.stopReason,
    }
    const end = await runCycle(this.config, deps, host, cycleId)
    this.interval[end.outcome]++
    // Removed from the inventory by a reload while it ran: nothing more to schedule.
    if (!this.hosts.includes(name)) return
    const now = Date.now()
    if (end.outcome === 'unreachable') {
      const wait = this.backoff.fail(name)
      this.deps.schedule.update(name, { failures: this.backoff.failuresOf(name) })
      this.scheduleAt(name, now + wait, 'backoff')
    } else {
      this.backoff.reset(name)
      this.deps.schedule.update(name, { failures: 0 })
      this.scheduleAt(name, nextSlot(name, this.settings.everyMs, this.settings.splayMs, now), 'waiting')
    }
    if (this.stopReason !== undefined) this.deps.schedule.update(name, { state: 'stopped', nextRun: undefined })
  }

  private summarize(): void {
    this.deps.emit({ type: 'watch-summary', time: new Date().toISOString(), outcomes: this.interval, hosts: this.hosts.length })
    this.interval = noOutcomes()
  }
}
