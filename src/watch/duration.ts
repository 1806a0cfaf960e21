/** Durations as operators write them: `500ms`, `30s`, `5m`, `1h`, `30d` (a bare number is seconds). */
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Milliseconds, or undefined when `text` is not a duration above zero. */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text)
  if (!match) return undefined
  const ms = Number(match[1]) * UNITS[match[2] ?? 's']!
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined
}

/** The shortest exact way to write `ms` back (30000 → `30s`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNITS[unit]!
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`
  }
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`
}
