/**
 * Ctrl-C handling: the first SIGINT/SIGTERM aborts the run's signal (the engine stops starting
 * work, prints the recap, exits 130); a second one exits at once.
 */
import { setMaxListeners } from 'node:events'
import { ExitCode } from '../exit-codes.js'

export interface Interrupt {
  readonly signal: AbortSignal
  /** Removes the handlers once the run is over. */
  dispose(): void
}

export function handleInterrupts(onFirst: (signalName: NodeJS.Signals) => void): Interrupt {
  const controller = new AbortController()
  // Every running task of every fork listens on it (its deadline is tied to Ctrl-C): no leak.
  setMaxListeners(0, controller.signal)
  const handler = (signalName: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`\ntend: ${signalName} again, exiting now\n`)
      process.exit(ExitCode.interrupted)
    }
    controller.abort(new Error(`interrupted by ${signalName}`))
    onFirst(signalName)
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
