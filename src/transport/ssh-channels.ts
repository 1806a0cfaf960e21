/**
 * Session channels on one connection. OpenSSH's sshd allows MaxSessions (default 10) at once and
 * refuses more; we keep at most `limit` open, and when the server still refuses one we lower the
 * limit to what it evidently allows and retry, so a queue of commands never fails on a busy host.
 */
export class ChannelLimiter {
  private active = 0
  private openedSinceRefusal = 0
  private readonly waiting: (() => void)[] = []
  private limit: number

  constructor(private readonly max = 8) {
    this.limit = max
  }

  get concurrency(): number {
    return this.limit
  }

  /** Takes a channel only if one is free now. */
  tryAcquire(): boolean {
    if (this.active >= this.limit) return false
    this.active += 1
    return true
  }

  /** Resolves when a channel may be opened; rejects with the signal's reason if aborted while queued. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.limit) {
      this.active += 1
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort)
        this.active += 1
        resolve()
      }
      const onAbort = (): void => {
        const index = this.waiting.indexOf(grant)
        if (index >= 0) this.waiting.splice(index, 1)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(grant)
    })
  }

  release(): void {
    this.active -= 1
    this.wakeWaiters()
  }

  /** The server refused a channel while `active` (ours included) were open: it allows fewer. */
  refused(): void {
    this.limit = Math.max(1, Math.min(this.limit, this.active - 1))
    this.openedSinceRefusal = 0
  }

  /**
   * A channel opened. sshd frees a closed session slightly after we see the close, so a refusal
   * can undercount what it allows; after a run of successes we try one more again.
   */
  opened(): void {
    this.openedSinceRefusal += 1
    if (this.openedSinceRefusal >= 8 && this.limit < this.max) {
      this.limit += 1
      this.openedSinceRefusal = 0
      this.wakeWaiters()
    }
  }

  private wakeWaiters(): void {
    while (this.active < this.limit && this.waiting.length > 0) this.waiting.shift()?.()
  }
}

/** A refused channel open (MaxSessions reached), as opposed to a dead connection. */
export function isChannelRefusal(error: unknown): boolean {
  return error instanceof Error && /Channel open failure/i.test(error.message)
}

export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
