/**
 * What a live controller (`tend watch`) adds to the page beyond the state store: each host's state
 * right now, when it was last checked and when it runs next, and host-cycle events as they end.
 * `tend serve` has no provider: the page then reads the store alone and its feed polls for rows.
 */
import type { EventEmitter } from 'node:events'
import type { HostCycle } from '../state/cycles.js'

export type HostState = 'converged' | 'corrected' | 'failed' | 'unreachable' | 'busy' | 'unseen'

export interface LiveHost {
  readonly host: string
  /** 'unseen': in the inventory, no cycle finished yet. */
  readonly state: HostState
  readonly groups?: readonly string[]
  /** ms since the epoch. */
  readonly lastCheckedAt?: number
  readonly nextRunAt?: number
  /** True while a cycle of this host is in progress. */
  readonly running?: boolean
}

/**
 * Events on `events`:
 * - `'cycle'` (cycle: HostCycle): a host-cycle ended; pass it as recorded (with its store `id`
 *   when known), so no_log results are already absent.
 * - `'host'` (host: LiveHost): a host's live state changed (started, scheduled, busy); the page
 *   sends these on in batches.
 */
export interface LiveProvider {
  /** Every host of the inventory, including those not seen yet. */
  hosts(): readonly LiveHost[]
  readonly events: EventEmitter
}

export type CycleListener = (cycle: HostCycle) => void
export type HostListener = (host: LiveHost) => void
