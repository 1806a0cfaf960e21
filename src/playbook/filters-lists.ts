/**
 * Jinja's list and mapping filters that tend templates use (nunjucks' own built-ins are not
 * reachable from tend templates: sandbox.ts). Each takes data and returns new data.
 */

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  return isMapping(value) ? Object.keys(value) : []
}

const numbers = (value: unknown): number[] => listOf(value).map(Number).filter((n) => !Number.isNaN(n))
const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value))

/** Jinja's dictsort: [key, value] pairs by key (case-insensitive unless asked). */
function dictsort(value: unknown, caseSensitive = false): [string, unknown][] {
  if (!isMapping(value)) return []
  const key = (k: string) => (caseSensitive ? k : k.toLowerCase())
  return Object.entries(value).sort(([a], [b]) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

export const listFilters: Readonly<Record<string, (...args: never[]) => unknown>> = {
  dictsort,
  /** Ansible's dict2items: [{key, value}, …]. */
  dict2items: (value: unknown) => (isMapping(value) ? Object.entries(value).map(([key, v]) => ({ key, value: v })) : []),
  items: (value: unknown) => (isMapping(value) ? Object.entries(value) : []),
  list: (value: unknown) => [...listOf(value)],
  reverse: (value: unknown) => (typeof value === 'string' ? [...value].reverse().join('') : [...listOf(value)].reverse()),
  min: (value: unknown) => (numbers(value).length ? Math.min(...numbers(value)) : undefined),
  max: (value: unknown) => (numbers(value).length ? Math.max(...numbers(value)) : undefined),
  sum: (value: unknown) => numbers(value).reduce((a, b) => a + b, 0),
  abs: (value: unknown) => Math.abs(Number(value)),
  round: (value: unknown, precision = 0) => Math.round(Number(value) * 10 ** Number(precision)) / 10 ** Number(precision),
  capitalize: (value: unknown) => text(value).charAt(0).toUpperCase() + text(value).slice(1).toLowerCase(),
  title: (value: unknown) => text(value).toLowerCase().replace(/(^|\s)\S/g, (c) => c.toUpperCase()),
}
