/**
 * The host lock per host-cycle. Several inventory entries may reach one machine (one SSH
 * endpoint, template units): their cycles share this process's one flock on it instead of locking
 * each other out. The lock is released as soon as the last cycle on the machine ends, so a
 * `tend run` can get in between cycles.
 */
import { lockHost, lockOwner } from '../engine/host-lock.js'
import type { Held, Transport } from '../transport/types.js'

export class MachineLocks {
  private readonly held = new Map<string, { lock: Promise<Held>; users: number }>()

  constructor(private readonly owner: string) {}

  /** Holds the machine's lock for `work`; rejects with HostBusyError when another tend has it. */
  async with<T>(transport: Transport, cycleId: string, work: () => Promise<T>): Promise<T> {
    const machine = transport.machine
    let entry = this.held.get(machine)
    if (entry === undefined) {
      entry = { lock: lockHost(transport, lockOwner(`${this.owner} cycle ${cycleId}`), 0), users: 0 }
      this.held.set(machine, entry)
    }
    entry.users += 1
    const mine = entry
    try {
      await mine.lock
    } catch (error) {
      void this.leave(machine, mine)
      throw error
    }
    try {
      return await work()
    } finally {
      await this.leave(machine, mine)
    }
  }

  private async leave(machine: string, entry: { lock: Promise<Held>; users: number }): Promise<void> {
    entry.users -= 1
    if (entry.users > 0) return
    if (this.held.get(machine) === entry) this.held.delete(machine)
    await entry.lock.then((held) => held.release(), () => undefined)
  }
}
