/** --json → NDJSON; a terminal → the live listr2 view; anything else → plain lines. For run, resume and watch. */
import { colorEnabled } from './color.js'
import { jsonRenderer } from './json.js'
import { plainRenderer } from './plain.js'
import type { Renderer, WatchRenderer } from './types.js'
import type { FleetSchedule } from '../../watch/schedule.js'
import type { WatchEvent } from '../../watch/events.js'

export async function chooseRenderer(options: { readonly json: boolean; readonly check: boolean; readonly verbosity?: number }): Promise<Renderer> {
  const out = process.stdout
  if (options.json) return jsonRenderer({ out })
  const color = colorEnabled(out)
  const verbosity = options.verbosity ?? 0
  // -v and more print results and commands as they end: plain lines, which a live view would overwrite.
  if (out.isTTY !== true || verbosity >= 1) return plainRenderer({ out, check: options.check, color, verbosity })
  // listr2 and its dependencies load only for a terminal.
  const { listrRenderer } = await import('./listr.js')
  return listrRenderer({ out, check: options.check, color, verbosity })
}

/** The same choice for a watch; its live view starts once the schedule exists (after the first validation passed). */
export async function chooseWatchRenderer(json: boolean, schedule: () => FleetSchedule | undefined): Promise<WatchRenderer> {
  const out = process.stdout
  if (json) return (await import('./watch-json.js')).watchJsonRenderer(out)
  const color = colorEnabled(out)
  const { watchPlainRenderer } = await import('./watch-plain.js')
  if (out.isTTY !== true) return watchPlainRenderer({ out, err: process.stderr, color })
  const { watchListrRenderer } = await import('./watch-listr.js')
  let live: WatchRenderer | undefined
  const pending: WatchEvent[] = []
  return {
    emit(event) {
      const known = schedule()
      if (live === undefined && known !== undefined) {
        live = watchListrRenderer({ out, color, schedule: known })
        for (const e of pending.splice(0)) live.emit(e)
      }
      if (live) live.emit(event)
      else pending.push(event)
    },
    finish: async () => live?.finish(),
  }
}
