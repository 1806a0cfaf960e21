/**
 * The bounds tend holds whatever its input says (issue 20): what a timer can wait, and how much of
 * a command's output is kept.
 */

/**
 * The longest delay a timer holds: setTimeout takes a signed 32-bit count of milliseconds
 * (2^31-1 ms, about 24.8 days). A longer one fires after 1 ms with only a warning, so a
 * `timeout: 3000000` would make every task time out at once: such values are refused instead.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/** The same bound in seconds, as playbooks and flags write timeouts (2147483.647). */
export const MAX_TIMER_SECONDS = MAX_TIMER_MS / 1000

/** Why `seconds` cannot be waited by a timer, or undefined when it can. */
export function timerProblem(seconds: number): string | undefined {
  if (!Number.isFinite(seconds)) return 'is not a finite number of seconds'
  if (seconds * 1000 > MAX_TIMER_MS) return `is longer than a timer can wait (at most ${MAX_TIMER_SECONDS} s, about 24.8 days)`
  return undefined
}

/** Bytes of stdout, and again of stderr, kept per command unless `TEND_OUTPUT_CAP` says otherwise. */
export const DEFAULT_OUTPUT_CAP = 10 * 1024 * 1024

/** `10485760`, `512k`, `10M`, `1G` (powers of 1024) → bytes; undefined when not such a size above 0. */
export function parseSize(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([kmg]i?b?|b)?\s*$/i.exec(text)
  if (!match) return undefined
  const unit = (match[2] ?? 'b').toLowerCase()[0]
  const bytes = Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1)
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined
}
