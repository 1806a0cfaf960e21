/**
 * Parses `systemctl show` output: `Key=Value` lines, one unit's block after another separated by
 * an empty line. Only `Exec*` values may span lines (`ExecStart={ path=… ; argv[]=… }` with a
 * newline inside an argument): ansible's parse_systemctl_show learned that a value like
 * `Description={ a brace` must not swallow the following lines, so only Exec* keys whose value
 * opens with `{` continue until a line ending in `}`.
 */
export type UnitProperties = ReadonlyMap<string, string>

export function parseSystemctlShow(text: string): UnitProperties[] {
  const units: Map<string, string>[] = []
  let current = new Map<string, string>()
  let open: { key: string; lines: string[] } | undefined
  for (const line of text.split('\n')) {
    if (open !== undefined) {
      open.lines.push(line)
      if (line.trimEnd().endsWith('}')) {
        current.set(open.key, open.lines.join('\n'))
        open = undefined
      }
      continue
    }
    if (line === '') {
      if (current.size > 0) units.push(current)
      current = new Map()
      continue
    }
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    const key = line.slice(0, eq)
    const value = line.slice(eq + 1)
    if (key.startsWith('Exec') && value.trimStart().startsWith('{') && !value.trimEnd().endsWith('}')) {
      open = { key, lines: [value] }
      continue
    }
    current.set(key, value)
  }
  if (open !== undefined) current.set(open.key, open.lines.join('\n'))
  if (current.size > 0) units.push(current)
  return units
}

/**
 * `systemctl show` timestamps, printed with TZ=UTC and LC_ALL=C: `Tue 2024-01-02 10:00:00 UTC`
 * (optionally with microseconds). Epoch milliseconds, or undefined for empty/`n/a`/unparsable.
 */
export function parseShowTimestamp(value: string | undefined): number | undefined {
  const match = /^\w{3} (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) UTC$/.exec(value?.trim() ?? '')
  if (match === null) return undefined
  const ms = Date.parse(`${match[1]}T${match[2]}Z`)
  return Number.isNaN(ms) ? undefined : ms
}

/** A numeric property; undefined when absent or not a number (e.g. `[not set]`). */
export function numberProperty(props: UnitProperties, key: string): number | undefined {
  const raw = props.get(key)
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined
  return Number(raw)
}
