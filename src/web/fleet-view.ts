/**
 * One row per host, from the store's latest words on each host and, when a controller is live,
 * its own view (state now, next run). What the fleet table and its counts show.
 */
import type { CycleOutcome } from '../state/cycles.js'
import type { HostLatest } from '../state/fleet.js'
import type { HostState, LiveHost } from './live.js'

export interface FleetRow {
  readonly host: string
  readonly state: HostState
  readonly groups: readonly string[]
  readonly lastCheckedAt?: number
  readonly nextRunAt?: number
  readonly running?: boolean
  readonly lastDurationMs?: number
  readonly lastFailure?: { readonly at: number; readonly message: string }
}

export const STATES: readonly HostState[] = ['converged', 'corrected', 'failed', 'unreachable', 'busy', 'unseen']

export function stateOfOutcome(outcome: CycleOutcome | string): HostState {
  switch (outcome) {
    case 'ok': return 'converged'
    case 'corrected': return 'corrected'
    case 'failed': return 'failed'
    case 'unreachable': return 'unreachable'
    case 'busy': return 'busy'
    default: return 'unseen'
  }
}

/** A run host's status (ok, changed, failed, …) as a fleet state; pending and skipped say nothing yet. */
function stateOfRunHost(status: string): HostState {
  switch (status) {
    case 'ok': return 'converged'
    case 'changed': return 'corrected'
    case 'failed': return 'failed'
    case 'unreachable': return 'unreachable'
    case 'running': return 'busy'
    default: return 'unseen'
  }
}

function fromStore(latest: HostLatest, groups: readonly string[]): FleetRow {
  const cycleEnd = latest.last === undefined ? undefined : latest.last.startedAt + latest.last.durationMs
  const runHost = latest.lastRunHost
  const runHostState = runHost === undefined ? 'unseen' : stateOfRunHost(runHost.status)
  const useRunHost = runHost !== undefined && runHostState !== 'unseen' && (cycleEnd === undefined || runHost.updatedAt > cycleEnd)
  const failure = latest.lastFailure
  const runFailure = useRunHost && (runHostState === 'failed' || runHostState === 'unreachable')
    ? { at: runHost.updatedAt, message: runHost.message ?? runHost.status } : undefined
  return {
    host: latest.host,
    state: useRunHost ? runHostState : latest.last === undefined ? 'unseen' : stateOfOutcome(latest.last.outcome),
    groups,
    ...(useRunHost ? { lastCheckedAt: runHost.updatedAt } : cycleEnd !== undefined && { lastCheckedAt: cycleEnd }),
    ...(latest.last !== undefined && { lastDurationMs: latest.last.durationMs }),
    ...(runFailure !== undefined ? { lastFailure: runFailure }
      : failure !== undefined && { lastFailure: { at: failure.at, message: failure.message ?? failure.outcome } }),
  }
}

/** Store rows, overlaid with the live controller's hosts when there is one (its hosts are the inventory). */
export function fleetRows(latest: readonly HostLatest[], live: readonly LiveHost[] | undefined, groupsOf: (host: string) => readonly string[]): FleetRow[] {
  const rows = new Map<string, FleetRow>()
  for (const l of latest) rows.set(l.host, fromStore(l, groupsOf(l.host)))
  for (const h of live ?? []) {
    const stored = rows.get(h.host)
    rows.set(h.host, {
      ...stored,
      host: h.host,
      state: h.state,
      groups: h.groups ?? stored?.groups ?? groupsOf(h.host),
      ...(h.lastCheckedAt !== undefined && { lastCheckedAt: h.lastCheckedAt }),
      ...(h.nextRunAt !== undefined && { nextRunAt: h.nextRunAt }),
      ...(h.running === true && { running: true }),
    })
  }
  return [...rows.values()].sort((a, b) => a.host.localeCompare(b.host))
}

export function countStates(rows: readonly FleetRow[]): Record<HostState, number> {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<HostState, number>
  for (const r of rows) counts[r.state]++
  return counts
}
