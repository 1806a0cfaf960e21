/**
 * client-go's workqueue, for host names: a key is queued at most once (the `dirty` set) and never
 * handed to two workers at once (the `processing` set). A key added while it is processed is
 * marked dirty and handed out again once `done` is called: the trigger is merged, not lost.
 */
export class WorkQueue<K> {
  private readonly queue: K[] = []
  private readonly dirty = new Set<K>()
  private readonly processing = new Set<K>()
  private readonly waiters: ((key: K | undefined) => void)[] = []
  private shuttingDown = false

  /** Queues `key` unless it is already queued; returns whether it was newly queued. */
  add(key: K): boolean {
    if (this.shuttingDown || this.dirty.has(key)) return false
    this.dirty.add(key)
    if (this.processing.has(key)) return true
    this.handOut(key)
    return true
  }

  /** The next key to work on; undefined once shut down. The caller must call done(key). */
  get(): Promise<K | undefined> {
    const key = this.queue.shift()
    if (key !== undefined) return Promise.resolve(this.take(key))
    if (this.shuttingDown) return Promise.resolve(undefined)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  done(key: K): void {
    this.processing.delete(key)
    if (this.dirty.has(key) && !this.shuttingDown) this.handOut(key)
  }

  isQueued(key: K): boolean {
    return this.dirty.has(key)
  }

  isProcessing(key: K): boolean {
    return this.processing.has(key)
  }

  get length(): number {
    return this.queue.length
  }

  /** No more keys are handed out; waiting workers get undefined. Processing keys finish. */
  shutDown(): void {
    this.shuttingDown = true
    this.queue.length = 0
    this.dirty.clear()
    for (const waiter of this.waiters.splice(0)) waiter(undefined)
  }

  private take(key: K): K {
    this.dirty.delete(key)
    this.processing.add(key)
    return key
  }

  private handOut(key: K): void {
    const waiter = this.waiters.shift()
    if (waiter) waiter(this.take(key))
    else this.queue.push(key)
  }
}
