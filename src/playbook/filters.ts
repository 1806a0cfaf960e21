import { posix } from 'node:path'
import { stringify } from 'yaml'
import { shQuote } from '../transport/quote.js'
import { listFilters } from './filters-lists.js'

/**
 * Ansible's common filters and tests, for nunjucks. Semantics follow Ansible (Jinja2), not
 * nunjucks' built-ins where they differ (e.g. `default` leaves null alone, `bool` knows "yes").
 */

/** Jinja's truthiness: empty lists and mappings are false, unlike JavaScript's. */
export function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0
  if (value instanceof Map || value instanceof Set) return value.size > 0
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0
  return Boolean(value)
}

function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value === 1
  return ['yes', 'on', '1', 'true', 'y'].includes(String(value).trim().toLowerCase())
}

function toInt(value: unknown, fallback = 0): number {
  const n = typeof value === 'boolean' ? Number(value) : Number.parseInt(String(value).trim(), 10)
  return Number.isNaN(n) ? fallback : n
}

function toFloat(value: unknown, fallback = 0): number {
  const n = typeof value === 'boolean' ? Number(value) : Number.parseFloat(String(value).trim())
  return Number.isNaN(n) ? fallback : n
}

function toStr(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  if (value !== null && typeof value === 'object') return Object.keys(value)
  return []
}

function length(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length
  if (value !== null && typeof value === 'object') return Object.keys(value).length
  return 0
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return toStr(a) < toStr(b) ? -1 : toStr(a) > toStr(b) ? 1 : 0
}

/** Python's `\1` / `\g<name>` back-references become JavaScript's `$1` / `$<name>`. */
function pythonReplacement(replacement: string): string {
  return replacement.replaceAll('$', '$$$$').replace(/\\g<(\w+)>/g, '$$<$1>').replace(/\\(\d+)/g, '$$$1')
}

function regexReplace(value: unknown, pattern: string, replacement = '', ignorecase = false): string {
  return toStr(value).replace(new RegExp(pattern, ignorecase ? 'gi' : 'g'), pythonReplacement(replacement))
}

function regexSearch(value: unknown, pattern: string, ignorecase = false): string | null {
  return toStr(value).match(new RegExp(pattern, ignorecase ? 'i' : ''))?.[0] ?? null
}

export class MandatoryError extends Error {}

/** Ansible's default: replaces only undefined, or any falsy value when `boolean` is true. */
function defaultFilter(value: unknown, fallback: unknown = '', boolean = false): unknown {
  return value === undefined || (boolean && !truthy(value)) ? fallback : value
}

export const filters: Readonly<Record<string, (...args: never[]) => unknown>> = {
  ...listFilters,
  default: defaultFilter,
  d: defaultFilter,
  bool: toBool,
  int: (value: unknown, fallback = 0) => toInt(value, fallback),
  float: (value: unknown, fallback = 0) => toFloat(value, fallback),
  string: toStr,
  lower: (value: unknown) => toStr(value).toLowerCase(),
  upper: (value: unknown) => toStr(value).toUpperCase(),
  trim: (value: unknown) => toStr(value).trim(),
  join: (value: unknown, separator = '') => listOf(value).map(toStr).join(separator),
  length,
  count: length,
  first: (value: unknown) => listOf(value)[0],
  last: (value: unknown) => listOf(value).at(-1),
  unique: (value: unknown) => [...new Set(listOf(value))],
  sort: (value: unknown, reverse = false) => {
    const sorted = [...listOf(value)].sort(compare)
    return reverse ? sorted.reverse() : sorted
  },
  replace: (value: unknown, old: string, replacement: string) => toStr(value).replaceAll(old, replacement),
  regex_replace: regexReplace,
  regex_search: regexSearch,
  to_json: (value: unknown) => JSON.stringify(value),
  to_nice_json: (value: unknown) => JSON.stringify(value, null, 4),
  from_json: (value: unknown) => JSON.parse(toStr(value)) as unknown,
  to_yaml: (value: unknown) => stringify(value),
  quote: (value: unknown) => shQuote(toStr(value)),
  basename: (value: unknown) => posix.basename(toStr(value)),
  dirname: (value: unknown) => posix.dirname(toStr(value)),
  mandatory: (value: unknown, message?: string) => {
    if (value === undefined) throw new MandatoryError(message ?? 'Mandatory variable has not been overridden')
    return value
  },
  ternary: (value: unknown, yes: unknown, no: unknown, none?: unknown) =>
    value === null && none !== undefined ? none : truthy(value) ? yes : no,
}

function result(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
}

const failed = (value: unknown) => result(value).failed === true
const changed = (value: unknown) => result(value).changed === true
const skipped = (value: unknown) => result(value).skipped === true

/** Jinja tests (`x is defined`); nunjucks compares their result with `=== true`. */
export const tests: Readonly<Record<string, (value: unknown) => boolean>> = {
  defined: (value) => value !== undefined,
  undefined: (value) => value === undefined,
  none: (value) => value === null,
  // `x is none` / `is true` / `is false`: nunjucks looks these names up for the literals.
  null: (value) => value === null,
  true: (value) => value === true,
  false: (value) => value === false,
  failed,
  failure: failed,
  succeeded: (value) => !failed(value),
  success: (value) => !failed(value),
  changed,
  change: changed,
  skipped,
  skip: skipped,
}
