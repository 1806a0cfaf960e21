/**
 * --json → NDJSON; a terminal → the live view (listr2 for a run, a redrawn frame for a watch);
 * anything else → plain lines. For run, resume and watch.
 */
import { colorEnabled } from './color.js'
import { jsonRenderer } from './json.js'
import { plainRenderer } from './plain.js'
import type { Renderer, WatchRenderer } from './types.js'
import { visibleEvent } from './visible.js'
import type { FleetSchedule } from '../../watch/schedule.js'
import type { WatchEvent } from '../../watch/events.js'

/**
 * A live view needs a terminal that says how wide it is: a pty reporting 0 columns (some CI
 * runners, `script` without a size) would get one character per line, so it gets plain lines.
 */
function liveTerminal(out: NodeJS.WriteStream): boolean {
  return out.isTTY === true && typeof out.columns === 'number' && out.columns > 0
}

export async function chooseRenderer(options: { readonly json: boolean; readonly check: boolean; readonly verbosity?: number }): Promise<Renderer> {
  const out = process.stdout
  if (options.json) return jsonRenderer({ out })
  const color = colorEnabled(out)
  const verbosity = options.verbosity ?? 0
  // -v and more print results and commands as they end: plain lines, which a live view would overwrite.
  if (!liveTerminal(out) || verbosity >= 1) return showingVisible(plainRenderer({ out, check: options.check, color, verbosity }))
  // listr2 and its dependencies load only for a terminal.
  const { listrRenderer } = await import('./listr.js')
  return showingVisible(listrRenderer({ out, check: options.check, color, verbosity }))
}

/** Text views get every event with its control characters made visible (visible.ts); JSON does not. */
function showingVisible<R extends { readonly emit: (event: never) => void }>(renderer: R): R {
  const emit = renderer.emit as (event: unknown) => void
  return { ...renderer, emit: (event: unknown) => emit(visibleEvent(event)) }
}

/** The same choice for a watch; its live view starts once the schedule exists (after the first validation passed). */
export async function chooseWatchRenderer(json: boolean, schedule: () => FleetSchedule | undefined): Promise<WatchRenderer> {
  const out = process.stdout
  if (json) return (await import('./watch-json.js')).watchJsonRenderer(out)
  const color = colorEnabled(out)
  const { watchPlainRenderer } = await import('./watch-plain.js')
  if (!liveTerminal(out)) return showingVisible(watchPlainRenderer({ out, err: process.stderr, color }))
  const { watchLiveRenderer } = await import('./watch-live.js')
  let live: WatchRenderer | undefined
  const pending: WatchEvent[] = []
  return showingVisible<WatchRenderer>({
    emit(event) {
      const known = schedule()
      if (live === undefined && known !== undefined) {
        live = watchLiveRenderer({ out, color, schedule: known })
        for (const e of pending.splice(0)) live.emit(e)
      }
      if (live) live.emit(event)
      else pending.push(event)
    },
    finish: async () => live?.finish(),
  })
}
