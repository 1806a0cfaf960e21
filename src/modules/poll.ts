/**
 * How long to wait before observing again after a "not yet": quickly at first, then every half
 * second. A unit that binds its port 150 ms after a restart is seen at ~150–350 ms, not at 500;
 * a gate that stays red for its whole window costs at most two probes a second.
 */
export const POLL_MAX_MS = 500

export function pollDelayMs(attempt: number): number {
  return Math.min(POLL_MAX_MS, 50 * 2 ** attempt)
}
