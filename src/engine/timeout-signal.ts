/**
 * A signal that aborts with a TimeoutError after `ms`, like AbortSignal.timeout, but held by its
 * own timer. On Node 20, AbortSignal.any() holds its sources weakly and AbortSignal.timeout()'s
 * timer holds its signal weakly too: once the garbage collector runs, a deadline built from the two
 * never fires (a `timeout: 2` task ran for 45 s). Here the timer's closure keeps the controller,
 * so the signal lives until it fires; the timer is unref'd, so it never keeps the process alive.
 */
export function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController()
  setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms).unref()
  return controller.signal
}
