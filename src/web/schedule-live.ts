/**
 * The live provider `tend watch` hands the page, made from its schedule (src/watch/schedule.ts):
 * per host its state now, last check and next run, and host-cycle events as they end. Typed by
 * shape, so the page does not depend on the watch's modules (only the watch imports this).
 */
import { EventEmitter } from 'node:events'
import type { CycleChange, CycleOutcome, HostCycle } from '../state/cycles.js'
import { stateOfOutcome } from './fleet-view.js'
import type { LiveHost, LiveProvider } from './live.js'

/** What the page reads of a schedule's host entry. */
export interface ScheduleEntry {
  readonly host: string
  /** waiting | queued | running | backoff | stopped */
  readonly state: string
  readonly lastOutcome?: CycleOutcome
  readonly lastChecked?: number
  readonly nextRun?: number
}

/** What the page reads of a watch event: only `cycle-end` matters here. */
export interface ScheduleEvent {
  readonly type: string
  readonly runId?: string
  readonly host?: string
  readonly outcome?: CycleOutcome
  readonly startedAt?: number
  readonly durationMs?: number
  readonly changes?: readonly CycleChange[]
  readonly message?: string
  readonly evidence?: readonly unknown[]
}

export interface ScheduleLike {
  snapshot(): { readonly hosts: readonly ScheduleEntry[] }
  on(event: 'event', listener: (event: ScheduleEvent) => void): unknown
  on(event: 'change', listener: (entry: ScheduleEntry) => void): unknown
  off(event: 'event', listener: (event: ScheduleEvent) => void): unknown
  off(event: 'change', listener: (entry: ScheduleEntry) => void): unknown
}

export function liveHostOf(entry: ScheduleEntry, groupsOf?: (host: string) => readonly string[]): LiveHost {
  const groups = groupsOf?.(entry.host)
  return {
    host: entry.host,
    state: entry.lastOutcome === undefined ? 'unseen' : stateOfOutcome(entry.lastOutcome),
    ...(groups !== undefined && { groups }),
    ...(entry.lastChecked !== undefined && { lastCheckedAt: entry.lastChecked }),
    ...(entry.nextRun !== undefined && { nextRunAt: entry.nextRun }),
    running: entry.state === 'running',
  }
}

/** A provider following `schedule`; dispose() lets go of it. `groupsOf` names a host's inventory groups. */
export function liveFromSchedule(schedule: ScheduleLike, groupsOf?: (host: string) => readonly string[]): LiveProvider & { dispose(): void } {
  const events = new EventEmitter()
  const onEvent = (event: ScheduleEvent): void => {
    if (event.type !== 'cycle-end' || event.host === undefined || event.outcome === undefined) return
    const cycle: HostCycle = {
      runId: event.runId ?? '', host: event.host, startedAt: event.startedAt ?? Date.now(), durationMs: event.durationMs ?? 0,
      outcome: event.outcome, changes: event.changes ?? [], evidence: [], ...(event.message !== undefined && { message: event.message }),
    }
    events.emit('cycle', cycle)
  }
  const onChange = (entry: ScheduleEntry): void => void events.emit('host', liveHostOf(entry, groupsOf))
  schedule.on('event', onEvent)
  schedule.on('change', onChange)
  return {
    events,
    hosts: () => schedule.snapshot().hosts.map((e) => liveHostOf(e, groupsOf)),
    dispose() {
      schedule.off('event', onEvent)
      schedule.off('change', onChange)
    },
  }
}
