/**
 * The values a template works with, and Python's rules for them. A template sees only plain data
 * (strings, numbers, booleans, null, arrays, plain objects) plus three kinds of its own:
 * Undefined (a missing name, carried so `default` and `is defined` work and errors name it),
 * PyFloat (a float whose value is integral, so `10 / 2` prints `5.0` as in Python) and the
 * template's own macros. Nothing here ever holds a JavaScript function a template could reach.
 */
import { TemplateError } from './errors.js'

/** A name or member that does not exist. Any use other than `default`/`is defined` raises. */
export class Undefined {
  constructor(
    /** What was looked up, as the user wrote it: `x`, `x.y`, `x['k']`. */
    readonly name: string,
    /** Why, for the message: `'dict object' has no attribute 'y'`. */
    readonly reason?: string,
    /** An inline `if` without `else` that was false: prints as nothing, as in Ansible. */
    readonly printsEmpty = false,
  ) {}
  message(): string {
    return this.reason ?? `'${this.name}' is undefined`
  }
}

/** A Python float whose value happens to be integral (`5.0`); other floats are plain numbers. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type Mapping = Record<string, unknown>

/** A plain object: a mapping (null-prototype objects and the hostvars proxy included). */
export function isMapping(value: unknown): value is Mapping {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** The JavaScript number of an int, float or bool; undefined for anything else. */
export function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v
  if (v instanceof PyFloat) return v.value
  if (typeof v === 'boolean') return v ? 1 : 0
  return undefined
}

/** Whether a number is a Python float (a non-integral number, or a boxed integral float). */
export const isFloat = (v: unknown): boolean => v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v))

export const isInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v)

/** A float result: boxed when integral so it keeps printing as a float. */
export function float(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n
}

/** Throws the undefined error for a value that must be defined here. */
export function defined<T>(value: T | Undefined): T {
  if (value instanceof Undefined) throw new TemplateError(value.message(), { undefinedName: value.name })
  return value
}

/** Python's truthiness: empty containers, 0, '', None and False are false. */
export function truthy(value: unknown): boolean {
  if (value instanceof Undefined) return false
  if (value instanceof PyFloat) return value.value !== 0
  if (Array.isArray(value)) return value.length > 0
  if (isMapping(value)) return Object.keys(value).length > 0
  if (value instanceof Macro) return true
  return Boolean(value)
}

/** Python's type name, for messages: `'dict object' has no attribute 'x'`. */
export function typeName(value: unknown): string {
  if (value === null) return 'NoneType'
  if (value instanceof Undefined) return 'AnsibleUndefined'
  if (value instanceof PyFloat) return 'float'
  if (Array.isArray(value)) return isTuple(value) ? 'tuple' : 'list'
  if (isMapping(value)) return 'dict'
  if (value instanceof Macro) return 'Macro'
  switch (typeof value) {
    case 'string':
      return 'str'
    case 'boolean':
      return 'bool'
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float'
    default:
      return 'object'
  }
}

/** A macro defined by the template: its body is evaluated by the evaluator that made it. */
export class Macro {
  constructor(
    readonly name: string,
    readonly invoke: (args: readonly unknown[], kwargs: Mapping, caller?: Macro) => string,
  ) {}
}

/** Python's repr() of a float: shortest round trip, exponent form outside [1e-4, 1e16). */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan'
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf'
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0'
  const abs = Math.abs(n)
  if (abs >= 1e16 || abs < 1e-4) {
    const [mantissa = '', exponent = '0'] = n.toExponential().split('e')
    const e = Number(exponent)
    return `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
  }
  const text = String(n)
  return text.includes('.') ? text : `${text}.0`
}

/** Python's str.isprintable() false: other, separator (except space) and unassigned characters. */
const NOT_PRINTABLE = /^[\p{C}\p{Z}]$/u

/** Python's repr() of a string: single quotes unless the text has ' and no ". */
export function stringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'"
  let out = quote
  for (const ch of s) {
    const code = ch.codePointAt(0)!
    if (ch === quote || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (code < 0x100 && (code < 0x20 || (code >= 0x7f && code <= 0xa0) || code === 0xad)) out += `\\x${code.toString(16).padStart(2, '0')}`
    else if (code > 0x7f && NOT_PRINTABLE.test(ch)) out += code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return out + quote
}

/** Python's repr(): how a value prints inside a list or dict. */
export function repr(value: unknown): string {
  if (typeof value === 'string') return stringRepr(value)
  return str(value, true)
}

/** Python's str(): how a value prints in `{{ }}` output. */
export function str(value: unknown, nested = false): string {
  if (typeof value === 'string') return nested ? stringRepr(value) : value
  if (value === null) return 'None'
  if (value === true) return 'True'
  if (value === false) return 'False'
  if (value instanceof PyFloat) return floatRepr(value.value)
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : floatRepr(value)
  if (Array.isArray(value)) {
    if (!isTuple(value)) return `[${value.map(repr).join(', ')}]`
    return value.length === 1 ? `(${repr(value[0])},)` : `(${value.map(repr).join(', ')})`
  }
  if (value instanceof Undefined) return defined(value) as never
  if (value instanceof Macro) return `<Macro '${value.name}'>`
  if (isMapping(value)) return `{${Object.keys(value).map((k) => `${repr(k)}: ${repr(value[k])}`).join(', ')}}`
  return String(value)
}

/** Python's ==: deep for containers; 1 == 1.0 == True. */
export function equals(a: unknown, b: unknown): boolean {
  if (a instanceof Undefined || b instanceof Undefined) return a instanceof Undefined && b instanceof Undefined
  const na = typeof a === 'string' ? undefined : numberOf(a)
  const nb = typeof b === 'string' ? undefined : numberOf(b)
  if (na !== undefined && nb !== undefined) return na === nb
  if (Array.isArray(a) || Array.isArray(b)) {
    // A tuple never equals a list in Python, whatever they hold.
    if (!Array.isArray(a) || !Array.isArray(b) || isTuple(a) !== isTuple(b)) return false
    return a.length === b.length && a.every((x, i) => equals(x, b[i]))
  }
  if (isMapping(a) || isMapping(b)) {
    if (!isMapping(a) || !isMapping(b)) return false
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equals(a[k], b[k]))
  }
  return a === b
}

/** Python's ordering (<, sort, min, max): numbers with numbers, strings with strings, lists element-wise. */
export function compare(a: unknown, b: unknown): number {
  const na = typeof a === 'string' ? undefined : numberOf(a)
  const nb = typeof b === 'string' ? undefined : numberOf(b)
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b)
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i])
      if (c !== 0) return c
    }
    return a.length - b.length
  }
  defined(a)
  defined(b)
  throw new TemplateError(`'<' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`)
}

const SURROGATE = /[\ud800-\udfff]/

/** Python compares strings by code point; JavaScript's < by UTF-16 unit (they differ past U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0
  const x = [...a]
  const y = [...b]
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return x.length - y.length
}

/** Iterating a value as Python does: lists, a string's characters, a mapping's keys. */
export function iterate(value: unknown): unknown[] {
  if (Array.isArray(value)) return value
  if (typeof value === 'string') return [...value]
  if (isMapping(value)) return Object.keys(value)
  defined(value)
  throw new TemplateError(`'${typeName(value)}' object is not iterable`)
}

/** Python's len(). */
export function length(value: unknown): number {
  if (typeof value === 'string') return [...value].length
  if (Array.isArray(value)) return value.length
  if (isMapping(value)) return Object.keys(value).length
  defined(value)
  throw new TemplateError(`object of type '${typeName(value)}' has no len()`)
}

/** A value as it leaves the template engine: integral floats become plain numbers again. */
export function plain(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value
  if (Array.isArray(value)) return value.some(needsPlain) ? value.map(plain) : value
  if (isMapping(value) && Object.values(value).some(needsPlain)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}
const needsPlain = (v: unknown): boolean => v instanceof PyFloat || Array.isArray(v) || isMapping(v)

/**
 * THE member check for `a.b`, `a[b]`: an own, enumerable data property (no getter) of a plain
 * mapping or list, or a character of a string. The key is a string or number, so no key object's
 * toString/valueOf is ever called; no prototype member is ever reached.
 */
export function ownMember(container: unknown, key: unknown): { value: unknown } | undefined {
  if (typeof key === 'boolean') key = key ? 1 : 0
  if (key instanceof PyFloat) key = key.value
  if (typeof container === 'string') {
    if (typeof key !== 'number' || !Number.isInteger(key)) return undefined
    const chars = [...container]
    const i = key < 0 ? chars.length + key : key
    return i >= 0 && i < chars.length ? { value: chars[i] } : undefined
  }
  if (Array.isArray(container)) {
    if (typeof key !== 'number' || !Number.isInteger(key)) return undefined
    const i = key < 0 ? container.length + key : key
    return i >= 0 && i < container.length ? { value: container[i] } : undefined
  }
  if (!isMapping(container)) return undefined
  if (typeof key !== 'string' && typeof key !== 'number') return undefined
  const own = Object.getOwnPropertyDescriptor(container, String(key))
  if (own === undefined || !own.enumerable || !('value' in own)) return undefined
  return typeof own.value === 'function' || typeof own.value === 'symbol' ? undefined : { value: own.value }
}

/** Python tuples are arrays marked here: they print as `(a, b)` and cannot be mutated. */
const tuples = new WeakSet<readonly unknown[]>()

export function tuple<T>(items: T[]): T[] {
  tuples.add(items)
  return items
}

export const isTuple = (value: unknown): boolean => Array.isArray(value) && tuples.has(value)
