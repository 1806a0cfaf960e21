/**
 * The live schedule of a watch, for whoever shows it (the terminal view, /healthz, the fleet page
 * of `tend serve`): per host its state, last outcome, when it was last checked and when it runs
 * next. Read it with snapshot(); follow it with on('event') (every watch event, in order) or
 * on('change') (a host's entry changed).
 */
import { EventEmitter } from 'node:events'
import type { CycleOutcome } from '../state/cycles.js'
import type { WatchEvent } from './events.js'

export type HostState = 'waiting' | 'queued' | 'running' | 'backoff' | 'stopped'

export interface HostEntry {
  readonly host: string
  readonly state: HostState
  readonly lastOutcome?: CycleOutcome
  /** ms since the epoch: when the last cycle ended. */
  readonly lastChecked?: number
  readonly lastDurationMs?: number
  readonly lastMessage?: string
  readonly lastCycleId?: string
  /** ms since the epoch: when the host is queued next (absent while queued or running). */
  readonly nextRun?: number
  /** Consecutive unreachable cycles (backoff). */
  readonly failures: number
}

export interface ScheduleSnapshot {
  readonly runId: string
  readonly playbook: string
  readonly everyMs: number
  readonly splayMs: number
  readonly startedAt: number
  readonly stopping: boolean
  readonly hosts: readonly HostEntry[]
}

export interface FleetScheduleEvents {
  event: [WatchEvent]
  change: [HostEntry]
}

export class FleetSchedule extends EventEmitter<FleetScheduleEvents> {
  private readonly entries = new Map<string, HostEntry>()
  private stopping = false
  playbook: string

  constructor(readonly runId: string, playbook: string, readonly everyMs: number, readonly splayMs: number, readonly startedAt = Date.now()) {
    super()
    this.playbook = playbook
  }

  snapshot(): ScheduleSnapshot {
    return {
      runId: this.runId, playbook: this.playbook, everyMs: this.everyMs, splayMs: this.splayMs, startedAt: this.startedAt,
      stopping: this.stopping, hosts: [...this.entries.values()].sort((a, b) => a.host.localeCompare(b.host)),
    }
  }

  entry(host: string): HostEntry | undefined {
    return this.entries.get(host)
  }

  /** Hosts of the (reloaded) inventory: new ones are added, gone ones removed. */
  setHosts(hosts: readonly string[]): void {
    const keep = new Set(hosts)
    for (const host of [...this.entries.keys()]) if (!keep.has(host)) this.entries.delete(host)
    for (const host of hosts) if (!this.entries.has(host)) this.update(host, { state: 'waiting', failures: 0 })
  }

  update(host: string, patch: Partial<Omit<HostEntry, 'host'>>): void {
    const before = this.entries.get(host) ?? { host, state: 'waiting' as const, failures: 0 }
    const next: HostEntry = { ...before, ...patch }
    this.entries.set(host, next)
    this.emit('change', next)
  }

  /** Every watch event passes here first: the schedule follows cycles from the same stream. */
  observe(event: WatchEvent): void {
    if (event.type === 'cycle-start') this.update(event.host, { state: 'running', nextRun: undefined })
    if (event.type === 'cycle-end') {
      this.update(event.host, {
        lastOutcome: event.outcome, lastChecked: event.startedAt + event.durationMs, lastDurationMs: event.durationMs,
        lastMessage: event.message, lastCycleId: event.cycleId,
      })
    }
    if (event.type === 'watch-stopping') {
      this.stopping = true
      for (const entry of this.entries.values()) if (entry.state !== 'running') this.update(entry.host, { state: 'stopped', nextRun: undefined })
    }
    this.emit('event', event)
  }
}
