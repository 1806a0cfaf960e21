/**
 * Splay (Chef, Salt): where inside the interval a host fires. A pure function of the host's name,
 * the interval and the splay, so it is the same after every restart on every controller, and
 * hosts spread evenly: the name's hash is a uniform fraction of the splay window.
 */
import { createHash } from 'node:crypto'

/** A stable fraction in [0, 1) from the host's name. */
export function nameFraction(host: string): number {
  return createHash('sha256').update(host).digest().readUInt32BE(0) / 2 ** 32
}

/** The host's offset in ms from the start of each interval (0 without splay). */
export function splayOffset(host: string, intervalMs: number, splayMs: number): number {
  const window = Math.min(Math.max(splayMs, 0), intervalMs)
  return Math.floor(nameFraction(host) * window)
}

/**
 * The host's next start at or after `now`: the intervals are aligned on the epoch, so the slot is
 * the same whichever moment the watch started (a restart does not bunch hosts up).
 */
export function nextSlot(host: string, intervalMs: number, splayMs: number, now: number): number {
  const offset = splayOffset(host, intervalMs, splayMs)
  const base = Math.floor(now / intervalMs) * intervalMs + offset
  return base >= now ? base : base + intervalMs
}
