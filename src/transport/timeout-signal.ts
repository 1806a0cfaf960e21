/**
 * A signal that aborts with a TimeoutError after `ms`, like AbortSignal.timeout, but held by its
 * own timer. On Node 20, AbortSignal.any() holds its sources weakly and AbortSignal.timeout()'s
 * timer holds its signal weakly too: once the garbage collector runs, a deadline built from the two
 * never fires (a `timeout: 2` task ran for 45 s). Here the timer's closure keeps the controller,
 * so the signal lives until it fires or `clear()` is called. Call clear() once the work it bounds is
 * over: a pending timer keeps its controller (and whatever listens) in memory until it fires, which
 * for 1,000 hosts × 7 tasks × a 5-minute step timeout adds up. The timer is unref'd: it never keeps
 * the process alive.
 */
export interface Timeout {
  readonly signal: AbortSignal
  readonly aborted: boolean
  clear(): void
}

export function timeoutSignal(ms: number): Timeout {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), ms)
  timer.unref()
  return {
    signal: controller.signal,
    get aborted() {
      return controller.signal.aborted
    },
    clear: () => clearTimeout(timer),
  }
}
