import type { WatchEvent } from '../../watch/events.js'

/** Shows a watch's event stream; never throws, never blocks the loop. */
export interface WatchRenderer {
  readonly emit: (event: WatchEvent) => void
  readonly finish: () => Promise<void>
}
