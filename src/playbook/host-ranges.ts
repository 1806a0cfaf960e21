/**
 * Ansible's host ranges: `web[01:20].example.com`, `db-[a:c]`, `n[0:10:2]` (step), several ranges
 * in one name. Numeric bounds keep the width of the first one when it has a leading zero (as
 * Ansible's expand_hostname_range); letters are single characters. The end is inclusive.
 */

/** More hosts than any inventory holds: `h[0:99999999]` would take minutes and gigabytes to list. */
export const MAX_RANGE_HOSTS = 100_000

const tooMany = (whole: string): { error: string } => ({ error: `host range \`${whole}\` stands for more than ${MAX_RANGE_HOSTS} hosts` })

const RANGE = /\[([^\]]*?):([^\]]*?)(?::([^\]]*?))?\]/

/** Every name a pattern stands for, or an error message saying what is wrong with the range. */
export function expandHostRange(pattern: string): string[] | { error: string } {
  const match = RANGE.exec(pattern)
  if (!match) return [pattern]
  const [whole, rawBeg = '', rawEnd = '', rawStep] = match
  const head = pattern.slice(0, match.index)
  const tail = pattern.slice(match.index + whole.length)
  const beg = rawBeg === '' ? '0' : rawBeg
  const step = rawStep === undefined || rawStep === '' ? 1 : Number(rawStep)
  if (!Number.isInteger(step) || step < 1) return { error: `host range \`${whole}\`: the step must be a whole number of 1 or more` }
  if (rawEnd === '') return { error: `host range \`${whole}\`: the end of the range is missing` }
  let items: string[]
  if (/^\d+$/.test(beg) && /^\d+$/.test(rawEnd)) {
    const from = Number(beg)
    const to = Number(rawEnd)
    if (from > to) return { error: `host range \`${whole}\`: the start is above the end` }
    if ((to - from) / step >= MAX_RANGE_HOSTS) return tooMany(whole)
    const width = beg.startsWith('0') && beg.length > 1 ? beg.length : 0
    items = []
    for (let n = from; n <= to; n += step) items.push(String(n).padStart(width, '0'))
  } else if (/^[a-zA-Z]$/.test(beg) && /^[a-zA-Z]$/.test(rawEnd)) {
    const from = beg.charCodeAt(0)
    const to = rawEnd.charCodeAt(0)
    if (from > to) return { error: `host range \`${whole}\`: the start is after the end` }
    items = []
    for (let c = from; c <= to; c += step) items.push(String.fromCharCode(c))
  } else {
    return { error: `host range \`${whole}\`: bounds must both be numbers or both single letters` }
  }
  const out: string[] = []
  for (const item of items) {
    const rest = expandHostRange(`${head}${item}${tail}`)
    if ('error' in rest) return rest
    if (out.length + rest.length > MAX_RANGE_HOSTS) return tooMany(whole)
    for (const name of rest) out.push(name)
  }
  return out
}

/** `host:2222` → name and port (Ansible's host pattern with a port); IPv6 literals are left alone. */
export function splitHostPort(text: string): { name: string; port?: number } {
  const m = /^([^:[\]]+(?:\[[^\]]*\][^:[\]]*)*):(\d+)$/.exec(text)
  return m ? { name: m[1]!, port: Number(m[2]) } : { name: text }
}
