/**
 * Values the state store never writes in clear: a run's `-e` values. Every text a record holds
 * (task names, change summaries, messages, evidence) passes through `mask` on its way in, so a
 * value that a task name or a host's output quotes is stored as `…`, whatever the task was.
 *
 * Values shorter than MIN_LENGTH are not masked: `-e release=2` would otherwise mask every "2"
 * of the history, and a value that short is not a secret anyone could keep.
 */
export const MIN_LENGTH = 6
const MASK = '…'

export class Withheld {
  private values: string[] = []

  /** Adds every string (and number, as text) inside `value`, at any depth. */
  add(value: unknown): void {
    const found = new Set(this.values)
    const visit = (v: unknown, depth: number): void => {
      if (depth > 20) return
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') {
        const text = String(v)
        if (text.length >= MIN_LENGTH) found.add(text)
      } else if (Array.isArray(v)) {
        for (const item of v) visit(item, depth + 1)
      } else if (v !== null && typeof v === 'object') {
        for (const item of Object.values(v)) visit(item, depth + 1)
      }
    }
    visit(value, 0)
    // Longest first: a value that contains another is masked whole.
    this.values = [...found].sort((a, b) => b.length - a.length)
  }

  mask(text: string): string {
    let out = text
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join(MASK)
    return out
  }

  /** Every string inside `value` masked (before it is serialized: masking JSON text could cut an escape). */
  maskDeep<T>(value: T): T {
    if (this.values.length === 0) return value
    const visit = (v: unknown): unknown => {
      if (typeof v === 'string') return this.mask(v)
      if (Array.isArray(v)) return v.map(visit)
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, item]) => [this.mask(k), visit(item)]))
      return v
    }
    return visit(value) as T
  }
}
