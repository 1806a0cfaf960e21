/**
 * The drift history writer: a subscriber that stores every cycle-end in the state store, and
 * prunes rows older than --keep now and then (never on every write).
 */
import { pruneCycles, recordCycle } from '../state/cycles.js'
import type { StateStore } from '../state/store.js'
import type { CycleEnd } from './events.js'

const PRUNE_EVERY_MS = 3_600_000

export class HistoryWriter {
  private prunedAt = 0

  constructor(private readonly store: StateStore, private readonly keepMs: number, private readonly onError: (error: unknown) => void) {}

  record(end: CycleEnd): void {
    try {
      recordCycle(this.store, {
        cycleId: end.cycleId, runId: end.runId, host: end.host, startedAt: end.startedAt, durationMs: end.durationMs,
        outcome: end.outcome, changes: end.changes, ...(end.message !== undefined && { message: end.message }), evidence: end.evidence,
      })
      if (Date.now() - this.prunedAt > PRUNE_EVERY_MS) this.prune()
    } catch (error) {
      // A full disk must not stop convergence; it is reported and the watch goes on.
      this.onError(error)
    }
  }

  prune(): number {
    this.prunedAt = Date.now()
    return pruneCycles(this.store, Date.now() - this.keepMs)
  }
}
