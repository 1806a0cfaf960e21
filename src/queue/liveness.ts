/**
 * Is Redis there? BullMQ's clients wait through reconnects forever (right for a worker); a
 * controller must instead stop with a clear error when Redis is unreachable at start or stays
 * gone mid-run. One small client of its own pings; `lost` rejects once pings failed for `downAfterMs`.
 */
import { Redis } from 'ioredis'
import { QueueUnavailableError } from './errors.js'
import { connectionOptions, type RedisEndpoint } from './url.js'

const PING_MS = 1000

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

export class Liveness {
  private readonly client: Redis
  private timer: NodeJS.Timeout | undefined
  private lastOk = Date.now()
  private fail: ((error: QueueUnavailableError) => void) | undefined
  private lastError = ''
  /** Rejects once Redis has been unreachable for downAfterMs; never resolves. */
  readonly lost: Promise<never>

  private constructor(private readonly endpoint: RedisEndpoint, private readonly downAfterMs: number) {
    this.client = new Redis({
      ...connectionOptions(endpoint), lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false,
      connectTimeout: 3000, commandTimeout: 2000,
    })
    // The connection's own error (ECONNREFUSED…) says more than a failed ping's "stream not writeable".
    this.client.on('error', (error: unknown) => (this.lastError = reasonOf(error)))
    this.lost = new Promise<never>((_, reject) => (this.fail = reject))
    this.lost.catch(() => undefined)
  }

  /** Connects and pings once; throws QueueUnavailableError naming the (password-free) URL. */
  static async check(endpoint: RedisEndpoint, downAfterMs = 5000): Promise<Liveness> {
    const live = new Liveness(endpoint, downAfterMs)
    try {
      await live.client.connect()
      await live.client.ping()
    } catch (error) {
      live.client.disconnect()
      // The connection's error event (WRONGPASS, ECONNREFUSED) says more than "Connection is closed".
      throw new QueueUnavailableError(`cannot reach Redis at ${endpoint.display}: ${live.lastError || reasonOf(error)}`,
        'start redis-server there, or check the address, port, password (AUTH) and TLS (rediss://)')
    }
    live.timer = setInterval(() => void live.ping(), PING_MS)
    return live
  }

  private async ping(): Promise<void> {
    try {
      await this.client.ping()
      this.lastOk = Date.now()
      this.lastError = ''
    } catch (error) {
      if (this.lastError === '') this.lastError = reasonOf(error)
      if (Date.now() - this.lastOk < this.downAfterMs) return
      this.fail?.(new QueueUnavailableError(
        `lost Redis at ${this.endpoint.display} for ${Math.round(this.downAfterMs / 1000)} s (${this.lastError})`,
        'hosts already handed to workers finish there; nothing else was started. Bring Redis back and run again: converged hosts report ok',
      ))
      this.fail = undefined
    }
  }

  /** Waits for `work` unless Redis is lost first. */
  race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.lost])
  }

  close(): void {
    clearInterval(this.timer)
    this.client.disconnect()
  }
}
