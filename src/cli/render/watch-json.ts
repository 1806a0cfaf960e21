/**
 * `tend watch --json`: every event as one line; engine events carry their host-cycle's `cycleId`.
 * A refused reload is also said on stderr with its file:line:column, for whoever reads the log.
 */
import { palette } from './color.js'
import { lifecycleLines } from './watch-format.js'
import type { WatchRenderer } from './watch-types.js'

export function watchJsonRenderer(out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): WatchRenderer {
  const paint = palette(false)
  return {
    emit: (event) => {
      out.write(JSON.stringify(event) + '\n')
      const { err: lines } = lifecycleLines(event, paint)
      if (lines.length > 0) err.write(lines.join('\n') + '\n')
    },
    finish: async () => {},
  }
}
