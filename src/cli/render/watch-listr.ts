/**
 * `tend watch` on a terminal: a live view of the fleet (the run's liveList), one line per host (state, last
 * outcome, when, next run) and the latest corrections and failures under it, refreshed on a
 * tick. Reads the schedule's snapshot, never the events one by one.
 */
import { liveList } from './listr.js'
import type { FleetSchedule, HostEntry } from '../../watch/schedule.js'
import type { WatchEvent } from '../../watch/events.js'
import { palette, type Palette } from './color.js'
import { cycleLines, lifecycleLines, outcomeWord } from './watch-format.js'
import type { WatchRenderer } from './types.js'

const TICK_MS = 500
const HOST_LINES = 40
const RECENT_LINES = 8

function ago(ms: number | undefined, now: number): string {
  if (ms === undefined) return '—'
  const s = Math.round((now - ms) / 1000)
  return s < 0 ? `in ${-s}s` : `${s}s ago`
}

function hostLine(entry: HostEntry, now: number, paint: Palette, width: number): string {
  const outcome = entry.lastOutcome ? outcomeWord(entry.lastOutcome, paint) : paint.dim('not yet')
  const next = entry.nextRun === undefined ? entry.state : `next ${ago(entry.nextRun, now)}`
  return `${entry.host.padEnd(width)}  ${entry.state.padEnd(8)} ${outcome}  ${paint.dim(`checked ${ago(entry.lastChecked, now)}, ${next}`)}`
}

interface TaskHandle {
  title: string
  output: string
}

export function watchListrRenderer(options: { out: NodeJS.WritableStream; color: boolean; schedule: FleetSchedule }): WatchRenderer {
  const paint = palette(options.color)
  const recent: string[] = []
  const after: string[] = []
  let stop: () => void = () => {}
  const stopped = new Promise<void>((resolve) => (stop = resolve))
  const listr = liveList([{
    title: 'tend watch',
    rendererOptions: { outputBar: Infinity, persistentOutput: false },
    task: async (_: unknown, task: TaskHandle) => {
      const refresh = () => {
        const now = Date.now()
        const snap = options.schedule.snapshot()
        const width = Math.min(30, Math.max(4, ...snap.hosts.map((h) => h.host.length)))
        task.title = `watching ${snap.hosts.length} host(s) every ${snap.everyMs / 1000}s — ${snap.playbook}${snap.stopping ? ' (stopping)' : ''}`
        const lines = snap.hosts.slice(0, HOST_LINES).map((h) => hostLine(h, now, paint, width))
        if (snap.hosts.length > HOST_LINES) lines.push(paint.dim(`… ${snap.hosts.length - HOST_LINES} more`))
        task.output = [...lines, ...(recent.length > 0 ? ['', ...recent.slice(-RECENT_LINES)] : [])].join('\n')
      }
      const tick = setInterval(refresh, TICK_MS)
      refresh()
      await stopped
      clearInterval(tick)
      refresh()
    },
  }])
  const running = listr.run().catch(() => undefined)
  return {
    emit(event: WatchEvent) {
      const { out, err } = lifecycleLines(event, paint)
      if (event.type === 'reload' || event.type === 'watch-stopping') recent.push(...out, ...err)
      else after.push(...err)
      if (event.type === 'cycle-end' && (event.outcome === 'corrected' || event.outcome === 'failed')) {
        const lines = cycleLines(event, paint, true)
        recent.push(...lines)
        after.push(...lines)
      }
      if (event.type === 'watch-end') stop()
    },
    finish: async () => {
      stop()
      await running
      if (after.length > 0) options.out.write(after.join('\n') + '\n')
    },
  }
}
