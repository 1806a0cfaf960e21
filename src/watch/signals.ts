/**
 * The one place a long-running tend owns its signals: SIGHUP reloads, the first SIGTERM/SIGINT
 * stops starting work (running changes finish), a second one cuts the grace period short.
 */
export interface SignalHandlers {
  readonly reload: () => void
  readonly stop: (signalName: NodeJS.Signals) => void
  readonly force: (signalName: NodeJS.Signals) => void
}

export function ownSignals(handlers: SignalHandlers): () => void {
  let stopping = false
  const onStop = (signalName: NodeJS.Signals) => {
    if (stopping) return handlers.force(signalName)
    stopping = true
    handlers.stop(signalName)
  }
  const onHup = () => {
    if (!stopping) handlers.reload()
  }
  process.on('SIGHUP', onHup)
  process.on('SIGINT', onStop)
  process.on('SIGTERM', onStop)
  return () => {
    process.off('SIGHUP', onHup)
    process.off('SIGINT', onStop)
    process.off('SIGTERM', onStop)
  }
}
