/**
 * `--rate N`: at most N host convergences start per second across the fleet (a token bucket
 * holding one second's worth, so a burst never exceeds N). Without a rate, take() is immediate.
 */
import { setTimeout as sleep } from 'node:timers/promises'

export class StartRate {
  private tokens: number
  private refilledAt = Date.now()

  constructor(private readonly perSecond: number | undefined) {
    this.tokens = perSecond ?? 0
  }

  /** Waits until a start is allowed; resolves false when `signal` fires first. */
  async take(signal: AbortSignal): Promise<boolean> {
    const rate = this.perSecond
    if (rate === undefined) return !signal.aborted
    for (;;) {
      if (signal.aborted) return false
      const now = Date.now()
      this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1000) * rate)
      this.refilledAt = now
      if (this.tokens >= 1) {
        this.tokens -= 1
        return true
      }
      await sleep(Math.ceil(((1 - this.tokens) / rate) * 1000), undefined, { signal }).catch(() => undefined)
    }
  }
}
