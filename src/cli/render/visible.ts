/**
 * Host text on a terminal with its control characters made visible, as `less` and journalctl
 * show them (issue 20). A host's output, a unit's journal or a rogue's command line may hold
 * escape sequences: written raw, `\x1b[1A\x1b[2K` moves the cursor up and erases the failure line,
 * and `ok:` is painted in its place. ESC, CR, backspace and the other C0/C1 controls become `\xNN`,
 * and the bidirectional overrides (which reorder what follows) become `\u{NNNN}`. A newline and a
 * tab keep their meaning: renderers indent continuation lines under their task. `--json` never
 * comes here: JSON escapes every control character and keeps the text exact.
 */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

function shown(char: string): string {
  const code = char.charCodeAt(0)
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`
}

export function visible(text: string): string {
  return text.replace(CONTROL, shown)
}

/**
 * Every string of an event made visible, keys included (the recap is keyed by host name). Events
 * are plain data (JSON-shaped), so a walk over arrays and plain objects reaches all of them.
 */
export function visibleEvent<E>(event: E): E {
  return visibleDeep(event) as E
}

function visibleDeep(value: unknown): unknown {
  if (typeof value === 'string') return visible(value)
  if (Array.isArray(value)) return value.map(visibleDeep)
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [visible(key), visibleDeep(item)]))
}
