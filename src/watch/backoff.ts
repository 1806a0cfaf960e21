/**
 * Per-host exponential backoff for hosts that cannot be reached (client-go's
 * ItemExponentialFailureRateLimiter): 1 s, 2 s, 4 s… capped at the interval, reset on success.
 */
export class Backoff {
  private readonly failures = new Map<string, number>()

  constructor(private readonly baseMs: number, private readonly capMs: number) {}

  /** Records a failure and returns how long to wait before the next attempt. */
  fail(key: string): number {
    const n = (this.failures.get(key) ?? 0) + 1
    this.failures.set(key, n)
    return Math.min(this.capMs, this.baseMs * 2 ** (n - 1))
  }

  failuresOf(key: string): number {
    return this.failures.get(key) ?? 0
  }

  reset(key: string): void {
    this.failures.delete(key)
  }
}
