/**
 * The page's JSON endpoints, read-only: the fleet, one host, runs, one run, chart buckets. Every
 * value here came from the store (or the live provider) and leaves as JSON data; the page turns it
 * into text nodes.
 */
import { listCycles, type HostCycle } from '../state/cycles.js'
import { cycleBuckets, hostsLatest, runHostCounts } from '../state/fleet.js'
import { cyclesOfRun } from '../state/run-progress.js'
import { getRun, listRuns, runHosts, type RunRecord } from '../state/runs.js'
import type { StateStore } from '../state/store.js'
import { countStates, fleetRows } from './fleet-view.js'
import type { LiveProvider } from './live.js'
import { runView } from './run-view.js'

export interface ApiContext {
  readonly store: StateStore
  readonly live?: LiveProvider
  readonly stateDir?: string
  /** Host → its groups, from an inventory: its hosts are listed even before their first cycle. */
  readonly inventory?: ReadonlyMap<string, readonly string[]>
}

const HOUR_MS = 3_600_000

/** host → groups, from the newest runs' frozen plans that carry an inventory's groups. */
function planGroups(runs: readonly RunRecord[]): (host: string) => readonly string[] {
  const groups = new Map<string, Set<string>>()
  for (const run of runs) {
    const plan = run.plan as { groups?: unknown; inventory?: { groups?: unknown } } | null
    const declared = plan?.groups ?? plan?.inventory?.groups
    if (typeof declared !== 'object' || declared === null) continue
    for (const [group, members] of Object.entries(declared)) {
      const hosts = Array.isArray(members) ? members : (members as { hosts?: unknown } | null)?.hosts
      if (!Array.isArray(hosts)) continue
      for (const host of hosts) if (typeof host === 'string' && group !== 'all') (groups.get(host) ?? groups.set(host, new Set()).get(host)!).add(group)
    }
  }
  return (host) => [...(groups.get(host) ?? [])].sort()
}

/** A host not checked for this many of the watch's intervals is stale: its state may no longer be true. */
const STALE_INTERVALS = 3

/**
 * The watch feeding the store, as far as the store can tell: the newest watch run, its interval,
 * and when it last wrote a host-cycle. It is feeding while it is marked running and wrote within
 * three intervals (a watch killed without a trace stops writing; its row still says running).
 */
function watchFeed(ctx: ApiContext, now: number) {
  const watch = listRuns(ctx.store, { kind: 'watch', limit: 1 })[0]
  if (watch === undefined) return undefined
  const everyMs = (watch.plan as { everyMs?: unknown } | null)?.everyMs
  const last = listCycles(ctx.store, { limit: 50 }).find((c) => c.runId === watch.id)
  const lastWriteAt = last === undefined ? undefined : last.startedAt + last.durationMs
  const interval = typeof everyMs === 'number' ? everyMs : undefined
  const feeding = ctx.live !== undefined || (watch.status === 'running' && lastWriteAt !== undefined && interval !== undefined && now - lastWriteAt <= STALE_INTERVALS * interval)
  return { runId: watch.id, status: watch.status, feeding, ...(interval !== undefined && { everyMs: interval }), ...(lastWriteAt !== undefined && { lastWriteAt }) }
}

export function fleet(ctx: ApiContext) {
  const now = Date.now()
  const watch = watchFeed(ctx, now)
  const fromPlans = planGroups(listRuns(ctx.store, { limit: 20 }))
  const groupsOf = (host: string) => ctx.inventory?.get(host) ?? fromPlans(host)
  const latest = hostsLatest(ctx.store)
  const seen = new Set(latest.map((l) => l.host))
  const unseen = [...(ctx.inventory?.keys() ?? [])].filter((h) => !seen.has(h)).map((host) => ({ host }))
  const staleBefore = watch?.everyMs === undefined ? undefined : now - STALE_INTERVALS * watch.everyMs
  const rows = fleetRows([...latest, ...unseen], ctx.live?.hosts(), groupsOf)
    .map((row) => (staleBefore !== undefined && row.lastCheckedAt !== undefined && row.lastCheckedAt < staleBefore ? { ...row, stale: true } : row))
  return { now, live: ctx.live !== undefined, ...(ctx.stateDir !== undefined && { stateDir: ctx.stateDir }), ...(watch !== undefined && { watch }), counts: countStates(rows), hosts: rows }
}

/** An evidence entry of a no_log task keeps its task and status, never its result. */
function withoutSecrets(evidence: readonly unknown[]): unknown[] {
  return evidence.map((e) => {
    if (typeof e !== 'object' || e === null) return e
    const entry = e as Record<string, unknown>
    if (entry.noLog === true || entry.no_log === true) {
      const { result: _result, ...rest } = entry
      return rest
    }
    return entry
  })
}

export function host(ctx: ApiContext, name: string) {
  const row = fleet(ctx).hosts.find((h) => h.host === name)
  const latest = listCycles(ctx.store, { hosts: [name], limit: 1 })[0]
  // The drift timeline carries no evidence (it can be large); only the last probe's is shown.
  const timeline = listCycles(ctx.store, { hosts: [name], outcomes: ['corrected', 'failed', 'unreachable', 'busy'], limit: 100 })
    .map(({ evidence: _e, ...c }) => c)
  return {
    now: Date.now(), name, row, timeline,
    ...(latest !== undefined && { lastCycle: { ...latest, evidence: withoutSecrets(latest.evidence) } satisfies HostCycle }),
  }
}

export function runs(ctx: ApiContext) {
  const list = listRuns(ctx.store, { limit: 50 })
  const counts = runHostCounts(ctx.store, list.map((r) => r.id))
  return {
    now: Date.now(),
    runs: list.map((run) => runView({ run, counts: counts.get(run.id) ?? { byStatus: {}, batches: 0, current: 0 }, ...(ctx.stateDir !== undefined && { stateDir: ctx.stateDir }) })),
  }
}

export function run(ctx: ApiContext, id: string) {
  const found = getRun(ctx.store, id)
  if (found === undefined) return undefined
  const counts = runHostCounts(ctx.store, [id]).get(id) ?? { byStatus: {}, batches: 0, current: 0 }
  return {
    now: Date.now(),
    run: runView({ run: found, hosts: runHosts(ctx.store, id), counts, ...(ctx.stateDir !== undefined && { stateDir: ctx.stateDir }) }),
    tasks: tasksByHost(ctx.store, id),
  }
}

/** Each host's tasks in its last convergence of the run: task, status and message, never a result. */
function tasksByHost(store: StateStore, runId: string): Record<string, { task: string; status: string; message?: string }[]> {
  const out: Record<string, { task: string; status: string; message?: string }[]> = {}
  for (const cycle of cyclesOfRun(store, runId)) {
    if (out[cycle.host] !== undefined) continue
    out[cycle.host] = cycle.evidence.flatMap((e) => {
      if (typeof e !== 'object' || e === null) return []
      const { task, status, message } = e as { task?: unknown; status?: unknown; message?: unknown }
      if (typeof task !== 'string' || typeof status !== 'string') return []
      return [{ task, status, ...(typeof message === 'string' && { message }) }]
    })
  }
  return out
}

export function charts(ctx: ApiContext, options: { host?: string; hours: number }) {
  const hours = Math.min(24 * 14, Math.max(1, Math.floor(options.hours)))
  const now = Date.now()
  const since = Math.floor((now - hours * HOUR_MS) / HOUR_MS) * HOUR_MS
  return {
    now, since, bucketMs: HOUR_MS, hours,
    buckets: cycleBuckets(ctx.store, { sinceMs: since, bucketMs: HOUR_MS, ...(options.host !== undefined && { host: options.host }) }),
  }
}
