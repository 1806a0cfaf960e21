import type { EngineEvent } from '../../engine/events.js'

/** Subscribes to the engine's event stream and shows it. */
export interface Renderer {
  /** Receives every event, in order; never throws, never blocks the engine. */
  readonly emit: (event: EngineEvent) => void
  /** The first Ctrl-C: say that the run is stopping. */
  readonly interrupting: (signalName: string) => void
  /** Resolves once everything is written (after run-end). */
  readonly finish: () => Promise<void>
}

export interface RenderOptions {
  readonly check: boolean
  readonly color: boolean
  readonly out: NodeJS.WritableStream
  /** -v count; 1 or more adds each task's result (never a no_log task's: it has none). */
  readonly verbosity?: number
}
