import type { EngineEvent } from '../../engine/events.js'
import type { WatchEvent } from '../../watch/events.js'

/**
 * What every view of an event stream is: `tend run`'s and `tend resume`'s (engine events) and
 * `tend watch`'s (watch events, the engine's among them). The JSON lines and the live list are
 * shared by both streams (json.ts, listr.ts's liveList).
 */
export interface EventRenderer<E> {
  /** Receives every event, in order; never throws, never blocks the engine or the loop. */
  readonly emit: (event: E) => void
  /** Resolves once everything is written (after the stream's last event). */
  readonly finish: () => Promise<void>
}

/** A run's view: also told of the first Ctrl-C, to say that the run is stopping. */
export interface Renderer extends EventRenderer<EngineEvent> {
  readonly interrupting: (signalName: string) => void
}

/** A watch's view (a second signal, the grace period, are the watch's own events). */
export type WatchRenderer = EventRenderer<WatchEvent>

export interface RenderOptions {
  readonly check: boolean
  readonly color: boolean
  readonly out: NodeJS.WritableStream
  /** -v count; 1 or more adds each task's result (never a no_log task's: it has none). */
  readonly verbosity?: number
}
