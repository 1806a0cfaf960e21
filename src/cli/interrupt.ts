/**
 * SIGINT/SIGTERM, owned in one place ("running changes finish, nothing new starts"):
 * - the first one aborts `signal`: no new task, handler or host starts, reads (probes, gates) stop,
 *   but a change already being applied runs to its end (an eviction is followed by starting the
 *   owner: stopping half-way is the outage tend exists to prevent);
 * - the second one aborts `abandon`: the change in hand is cut off, the engine reports exactly
 *   what it left done and undone, and the recap is printed; if that takes longer than
 *   ABANDON_GRACE_MS (a command that ignores being stopped), tend exits anyway;
 * - a third one exits at once.
 */
import { setMaxListeners } from 'node:events'
import { ExitCode } from '../exit-codes.js'

export interface Interrupt {
  /** Aborted by the first signal: nothing new starts. */
  readonly signal: AbortSignal
  /** Aborted by the second signal: the change in hand is abandoned. */
  readonly abandon: AbortSignal
  /** Removes the handlers once the run is over. */
  dispose(): void
}

/** After a second signal, how long the recap may take before tend exits without it. */
const ABANDON_GRACE_MS = 5000

function exitNow(): never {
  process.stderr.write('tend: exiting now\n')
  process.exit(ExitCode.interrupted)
}

export function handleInterrupts(onFirst: (signalName: NodeJS.Signals) => void): Interrupt {
  const first = new AbortController()
  const second = new AbortController()
  // Every running task of every fork listens on them (deadlines are tied to them): no leak.
  setMaxListeners(0, first.signal)
  setMaxListeners(0, second.signal)
  let count = 0
  const handler = (signalName: NodeJS.Signals) => {
    count += 1
    if (count === 1) {
      first.abort(new Error(`interrupted by ${signalName}`))
      onFirst(signalName)
      return
    }
    if (count > 2) exitNow()
    process.stderr.write(`\ntend: ${signalName} again: abandoning the change in hand (once more exits at once)\n`)
    second.abort(new Error(`abandoned by a second ${signalName}`))
    setTimeout(exitNow, ABANDON_GRACE_MS).unref()
  }
  process.on('SIGINT', handler)
  process.on('SIGTERM', handler)
  return {
    signal: first.signal,
    abandon: second.signal,
    dispose() {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    },
  }
}
