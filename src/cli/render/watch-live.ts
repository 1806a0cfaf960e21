/**
 * `tend watch` on a terminal: one frame, redrawn in place on a tick: a title line, one line per
 * host (state, last outcome, when, next run), and the latest corrections and failures under them.
 * A frame never wraps or scrolls (each line is cut to the terminal's width, the frame to its
 * height), so moving the cursor back up over the last frame always lands on its first line: that
 * is what keeps the redraw in place. Reads the schedule's snapshot, never the events one by one.
 */
import type { FleetSchedule, HostEntry } from '../../watch/schedule.js'
import type { WatchEvent } from '../../watch/events.js'
import { palette, type Palette } from './color.js'
import type { WatchRenderer } from './types.js'
import { cycleLines, lifecycleLines, outcomeWord } from './watch-format.js'
import { visible } from './visible.js'

const TICK_MS = 500
const RECENT_LINES = 8
const HIDE_CURSOR = '\x1b[?25l'
const SHOW_CURSOR = '\x1b[?25h'
/** Up to the first column of the line `n` above, then erase to the end of the screen. */
const backOver = (n: number): string => (n > 0 ? `\r\x1b[${n}A\x1b[J` : '\r\x1b[J')

function ago(ms: number | undefined, now: number): string {
  if (ms === undefined) return '—'
  const s = Math.round((now - ms) / 1000)
  return s < 0 ? `in ${-s}s` : `${s}s ago`
}

function hostLine(entry: HostEntry, now: number, paint: Palette, width: number): string {
  const outcome = entry.lastOutcome ? outcomeWord(entry.lastOutcome, paint) : paint.dim('not yet')
  const next = entry.nextRun === undefined ? entry.state : `next ${ago(entry.nextRun, now)}`
  return `  ${visible(entry.host).padEnd(width)}  ${entry.state.padEnd(8)} ${outcome}  ${paint.dim(`checked ${ago(entry.lastChecked, now)}, ${next}`)}`
}

/** `line` cut to `columns` visible characters (escape sequences kept, not counted). */
export function fitLine(line: string, columns: number): string {
  let visible = 0
  let out = ''
  for (let i = 0; i < line.length; i++) {
    const escape = /^\x1b\[[0-9;?]*[A-Za-z]/.exec(line.slice(i, i + 16))
    if (escape) {
      out += escape[0]
      i += escape[0].length - 1
      continue
    }
    if (visible >= columns) continue
    out += line[i]
    visible++
  }
  return out + (visible >= columns ? '\x1b[0m' : '')
}

export interface LiveScreen {
  readonly out: NodeJS.WritableStream & { readonly columns?: number; readonly rows?: number }
  readonly color: boolean
  readonly schedule: FleetSchedule
}

export function watchLiveRenderer(options: LiveScreen): WatchRenderer {
  const paint = palette(options.color)
  const recent: string[] = []
  const after: string[] = []
  let drawn = 0
  let stopped = false

  const frame = (): string[] => {
    const now = Date.now()
    const snap = options.schedule.snapshot()
    const width = Math.min(30, Math.max(4, ...snap.hosts.map((h) => h.host.length)))
    const rows = Math.max(3, (options.out.rows ?? 24) - 1)
    const title = `tend watch: ${snap.hosts.length} host(s) every ${snap.everyMs / 1000}s — ${visible(snap.playbook)}${snap.stopping ? ' (stopping)' : ''}`
    const tail = recent.length > 0 ? ['', ...recent.slice(-RECENT_LINES)] : []
    const hostRoom = Math.max(1, rows - 1 - tail.length)
    const hosts = snap.hosts.length <= hostRoom ? snap.hosts : snap.hosts.slice(0, hostRoom - 1)
    const lines = [paint.bold(title), ...hosts.map((h) => hostLine(h, now, paint, width))]
    if (hosts.length < snap.hosts.length) lines.push(paint.dim(`  … ${snap.hosts.length - hosts.length} more`))
    return [...lines, ...tail].flatMap((line) => line.split('\n')).slice(0, rows)
  }

  const draw = () => {
    const columns = Math.max(20, (options.out.columns ?? 80) - 1)
    const lines = frame().map((line) => fitLine(line, columns))
    options.out.write(backOver(drawn) + lines.join('\n') + '\n')
    drawn = lines.length
  }

  options.out.write(HIDE_CURSOR)
  draw()
  const tick = setInterval(draw, TICK_MS)
  const stop = () => {
    if (stopped) return
    stopped = true
    clearInterval(tick)
    draw()
    options.out.write(SHOW_CURSOR)
  }
  return {
    emit(event: WatchEvent) {
      const { out, err } = lifecycleLines(event, paint)
      if (event.type === 'reload' || event.type === 'watch-stopping') recent.push(...out, ...err)
      else after.push(...err)
      if (event.type === 'cycle-end' && (event.outcome === 'corrected' || event.outcome === 'failed')) {
        const lines = cycleLines(event, paint, true)
        recent.push(...lines.map((l) => `  ${l}`))
        after.push(...lines)
      }
      if (event.type === 'watch-end') stop()
    },
    finish: async () => {
      stop()
      if (after.length > 0) options.out.write(after.join('\n') + '\n')
    },
  }
}
