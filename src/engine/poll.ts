/**
 * How long to wait before observing again after a "not yet": quickly at first, then every half
 * second. A unit that binds its port 150 ms after a restart is seen at ~150–350 ms, not at 500;
 * a gate that stays red for its whole window costs at most two probes a second.
 */
export const POLL_MAX_MS = 500

export function pollDelayMs(attempt: number): number {
  return Math.min(POLL_MAX_MS, 50 * 2 ** attempt)
}

/**
 * Waits ms, or rejects with the signal's own reason as soon as it fires (not node's AbortError
 * wrapping it): a module's "observe again" cut short fails the task as cut short, in its words.
 */
export function waitOrAbort(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, Math.max(0, ms))
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
