/** A counting semaphore: bounds how many hosts work at once (`forks`). No extra dependency. */
export class Semaphore {
  private free: number
  private readonly waiting: (() => void)[] = []

  constructor(slots: number) {
    this.free = Math.max(1, slots)
  }

  async use<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    try {
      return await work()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.free++
    }
  }
}

/**
 * Lockstep for `strategy: linear`: every host still in the batch must arrive at step N before any
 * passes it. A host that is done (finished, failed, unreachable) leaves, so nobody waits for it.
 */
export class Barrier {
  private readonly arrived = new Map<number, number>()
  private readonly waiters = new Map<number, (() => void)[]>()

  /** `onStep` runs once per step, when everyone has arrived and before anyone passes. */
  constructor(
    private members: number,
    private readonly onStep: (step: number) => void = () => {},
  ) {}

  arrive(step: number): Promise<void> {
    this.arrived.set(step, (this.arrived.get(step) ?? 0) + 1)
    const done = new Promise<void>((resolve) => this.waiters.set(step, [...(this.waiters.get(step) ?? []), resolve]))
    this.release()
    return done
  }

  leave(): void {
    this.members--
    this.release()
  }

  private release(): void {
    for (const [step, count] of this.arrived) {
      if (count < this.members) continue
      this.onStep(step)
      for (const resolve of this.waiters.get(step) ?? []) resolve()
      this.arrived.delete(step)
      this.waiters.delete(step)
    }
  }
}
