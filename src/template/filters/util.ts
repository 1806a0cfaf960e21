/**
 * What the filters share: safe dict building (a key from data, even `__proto__`, is an ordinary
 * own key), Jinja's attribute getter (`attribute='a.0.b'`, through ownMember only), Python's
 * `+`, and the argument checks whose messages follow Python's.
 */
import type { CallContext } from '../callable.js'
import { TemplateError } from '../errors.js'
import { defined, float, isFloat, isMapping, isTuple, numberOf, ownMember, str, typeName, Undefined, type Mapping } from '../values.js'

/** Sets an own, enumerable key; `__proto__` stays data and never changes a prototype. */
export function setKey(target: Mapping, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** A plain dict from entries (later keys win, as in Python). */
export function dictOf(entries: Iterable<readonly [string, unknown]>): Mapping {
  const out: Mapping = {}
  for (const [k, v] of entries) setKey(out, k, v)
  return out
}

/** A shallow copy of a mapping, keeping key order. */
export const copyDict = (m: Mapping): Mapping => dictOf(Object.keys(m).map((k) => [k, m[k]] as const))

/**
 * Keyword arguments with own keys only, on a null prototype, so `kw.name` never reads a
 * prototype member even when a template passes `__proto__=...`.
 */
export function ownKwargs(kw: unknown): Mapping {
  const out = Object.create(null) as Mapping
  if (kw !== null && typeof kw === 'object') for (const k of Object.keys(kw)) setKey(out, k, (kw as Mapping)[k])
  return out
}

/** A dict key from a template value: Python allows any hashable; tend's dicts key by its str(). */
export function keyOf(value: unknown): string {
  defined(value)
  if (Array.isArray(value) && !isTuple(value)) throw new TemplateError("unhashable type: 'list'")
  if (isMapping(value)) throw new TemplateError("unhashable type: 'dict'")
  return typeof value === 'string' ? value : str(value)
}

/** Python's to_text(value, nonstring='simplerepr'): str() of anything defined. */
export function toText(value: unknown): string {
  defined(value)
  return str(value)
}

/** An int argument (bools count, as in Python). */
export function needInt(value: unknown, what: string): number {
  defined(value)
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'number' && Number.isInteger(value)) return value
  throw new TemplateError(`'${typeName(value)}' object cannot be interpreted as an integer (${what})`)
}

/** A list from anything Python can iterate (lists, strings, a dict's keys). */
export function listOf(value: unknown, ctx?: CallContext): unknown[] {
  defined(value)
  let out: unknown[]
  if (Array.isArray(value)) out = value
  else if (typeof value === 'string') out = [...value]
  else if (isMapping(value)) out = Object.keys(value)
  else throw new TemplateError(`'${typeName(value)}' object is not iterable`)
  ctx?.charge(out.length)
  return out
}

/** Lower-cases strings, other values as they are (Jinja's ignore_case). */
export const ignoreCase = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v)

/** Jinja's `_prepare_attribute_parts`: `'a.0.b'` is `['a', 0, 'b']`. */
export function attributeParts(attribute: unknown): (string | number)[] {
  if (attribute === null || attribute === undefined) return []
  if (typeof attribute === 'string') return attribute.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))
  if (typeof attribute === 'number') return [attribute]
  defined(attribute)
  throw new TemplateError(`attribute must be a string or an integer, not ${typeName(attribute)}`)
}

/**
 * Jinja's environment.getitem for data: an own member, or Undefined naming what was missing.
 * Never a prototype member or method: `attribute='constructor'` is simply missing.
 */
export function getItem(container: unknown, key: string | number): unknown {
  if (container instanceof Undefined) defined(container)
  const found = ownMember(container, key)
  if (found !== undefined) return found.value
  const what = typeName(container) === 'dict' ? 'dict object' : `${typeName(container)} object`
  return new Undefined(String(key), `'${what}' has no attribute '${String(key)}'`)
}

/** Jinja's make_attrgetter: `attribute` may be dotted; `fallback` replaces an undefined step. */
export function attrGetter(attribute: unknown, postprocess?: (v: unknown) => unknown, fallback?: unknown): (item: unknown) => unknown {
  const parts = attributeParts(attribute)
  return (item) => {
    for (const part of parts) {
      item = getItem(item, part)
      if (fallback !== undefined && fallback !== null && item instanceof Undefined) item = fallback
    }
    return postprocess ? postprocess(item) : item
  }
}

/** Jinja's make_multi_attrgetter: `'age,name'` gives a list of both. */
export function multiAttrGetter(attribute: unknown, postprocess?: (v: unknown) => unknown): (item: unknown) => unknown {
  const getters = (typeof attribute === 'string' ? attribute.split(',') : [attribute]).map((a) => attrGetter(a, postprocess))
  return (item) => getters.map((g) => g(item))
}

/** Python's a + b for the values sum and friends meet. */
export function pyAdd(a: unknown, b: unknown): unknown {
  defined(a)
  defined(b)
  if (typeof a === 'string' && typeof b === 'string') return a + b
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b]
  const x = typeof a === 'string' ? undefined : numberOf(a)
  const y = typeof b === 'string' ? undefined : numberOf(b)
  if (x !== undefined && y !== undefined && !Array.isArray(a) && !Array.isArray(b)) {
    return isFloat(a) || isFloat(b) ? float(x + y) : x + y
  }
  throw new TemplateError(`unsupported operand type(s) for +: '${typeName(a)}' and '${typeName(b)}'`)
}

/** Python's `x in container`. */
export function contains(container: unknown, item: unknown, eq: (a: unknown, b: unknown) => boolean): boolean {
  defined(container)
  if (typeof container === 'string') {
    defined(item)
    if (typeof item !== 'string') throw new TemplateError(`'in <string>' requires string as left operand, not ${typeName(item)}`)
    return container.includes(item)
  }
  if (Array.isArray(container)) return container.some((x) => eq(x, item))
  if (isMapping(container)) {
    defined(item)
    return (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') && Object.hasOwn(container, typeof item === 'boolean' ? String(Number(item)) : String(item))
  }
  throw new TemplateError(`argument of type '${typeName(container)}' is not iterable`)
}

/** Throws on any Undefined inside a value (Ansible's recursive_check_defined). */
export function checkDefined(value: unknown): void {
  if (value instanceof Undefined) throw new TemplateError(`${value.message()}`, { undefinedName: value.name })
  if (Array.isArray(value)) for (const v of value) checkDefined(v)
  else if (isMapping(value)) for (const k of Object.keys(value)) checkDefined(value[k])
}

/** Python's str ordering: by code point (JavaScript compares UTF-16 units). */
export function codePointCompare(a: string, b: string): number {
  if (a === b) return 0
  const x = Array.from(a)
  const y = Array.from(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!
    if (d !== 0) return d
  }
  return x.length - y.length
}
