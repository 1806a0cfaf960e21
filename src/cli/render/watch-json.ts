/** `tend watch --json`: every event as one line; engine events carry their host-cycle's `cycleId`. */
import type { WatchRenderer } from './watch-types.js'

export function watchJsonRenderer(out: NodeJS.WritableStream): WatchRenderer {
  return { emit: (event) => void out.write(JSON.stringify(event) + '\n'), finish: async () => {} }
}
