/**
 * `tend watch --json`: the run's JSON lines (engine events carry their host-cycle's `cycleId`).
 * A refused reload is also said on stderr with its file:line:column, for whoever reads the log.
 */
import { palette } from './color.js'
import { jsonLines } from './json.js'
import type { WatchRenderer } from './types.js'
import { lifecycleLines } from './watch-format.js'
import type { WatchEvent } from '../../watch/events.js'

export function watchJsonRenderer(out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): WatchRenderer {
  const paint = palette(false)
  const lines = jsonLines<WatchEvent>(out)
  return {
    emit: (event) => {
      lines.emit(event)
      const { err: said } = lifecycleLines(event, paint)
      if (said.length > 0) err.write(said.join('\n') + '\n')
    },
    finish: lines.finish,
  }
}
