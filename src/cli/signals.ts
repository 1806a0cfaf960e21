/**
 * The one owner of tend's process signals, with its two policies. Nothing else in tend calls
 * `process.on('SIGINT' | 'SIGTERM' | 'SIGHUP')`: lower layers are handed the policy's callbacks.
 *
 * One-shot commands (`tend run`, `tend resume`): "running changes finish, nothing new starts".
 * - the first SIGINT/SIGTERM aborts `signal`: no new task, handler or host starts, reads (probes,
 *   gates) stop, but a change already being applied runs to its end (an eviction is followed by
 *   starting the owner: stopping half-way is the outage tend exists to prevent);
 * - the second aborts `abandon`: the change in hand is cut off, the engine reports exactly what it
 *   left done and undone, and the recap is printed; if that takes longer than ABANDON_GRACE_MS (a
 *   command that ignores being stopped), tend exits anyway;
 * - a third exits at once.
 *
 * Long-running processes (`tend watch`, `tend worker`, `tend serve`, `tend demo`): SIGHUP reloads
 * (where the process can), the first SIGTERM/SIGINT stops taking work (running changes finish),
 * a second one cuts the grace period short (`force`).
 */
import { setMaxListeners } from 'node:events'
import { ExitCode } from '../exit-codes.js'

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const

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

/** The one-shot policy. `onFirst` tells the operator what happens now. */
export function oneShotSignals(onFirst: (signalName: NodeJS.Signals) => void): Interrupt {
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
  for (const name of STOP_SIGNALS) process.on(name, handler)
  return {
    signal: first.signal,
    abandon: second.signal,
    dispose() {
      for (const name of STOP_SIGNALS) process.off(name, handler)
    },
  }
}

export interface LongRunningHandlers {
  /** SIGHUP, until the first stop signal; without it SIGHUP is ignored (not the default: exit). */
  readonly reload?: () => void
  readonly stop: (signalName: NodeJS.Signals) => void
  /** A second stop signal. */
  readonly force: (signalName: NodeJS.Signals) => void
}

/** The long-running policy; returns what removes the handlers. */
export function longRunningSignals(handlers: LongRunningHandlers): () => void {
  let stopping = false
  const onStop = (signalName: NodeJS.Signals) => {
    if (stopping) return handlers.force(signalName)
    stopping = true
    handlers.stop(signalName)
  }
  const onHup = () => {
    if (!stopping) handlers.reload?.()
  }
  process.on('SIGHUP', onHup)
  for (const name of STOP_SIGNALS) process.on(name, onStop)
  return () => {
    process.off('SIGHUP', onHup)
    for (const name of STOP_SIGNALS) process.off(name, onStop)
  }
}

/** Resolves with the first stop signal; a second one calls `force`. For processes with nothing to reload. */
export function untilStopSignal(force: (signalName: NodeJS.Signals) => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => longRunningSignals({ stop: resolve, force }))
}
