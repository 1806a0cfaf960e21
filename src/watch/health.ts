/**
 * GET /healthz: healthy while the loop runs and every host that was reachable last time finished
 * a cycle within twice the interval (a host never checked yet counts from the watch's start).
 * Unreachable hosts are the metrics' business (tend_host_up), not a reason to restart the watch.
 */
import type { ScheduleSnapshot } from './schedule.js'

export interface Health {
  readonly ok: boolean
  readonly reason: string
}

export function healthOf(snapshot: ScheduleSnapshot, now: number): Health {
  if (snapshot.stopping) return { ok: false, reason: 'stopping' }
  const limit = 2 * snapshot.everyMs
  const late = snapshot.hosts.filter((h) => h.lastOutcome !== 'unreachable' && now - (h.lastChecked ?? snapshot.startedAt) > limit)
  if (late.length > 0) {
    const names = late.slice(0, 10).map((h) => h.host).join(', ')
    return { ok: false, reason: `no cycle finished within ${limit / 1000}s on ${late.length} host(s): ${names}${late.length > 10 ? ', …' : ''}` }
  }
  return { ok: true, reason: `ok: ${snapshot.hosts.length} host(s) on schedule` }
}
