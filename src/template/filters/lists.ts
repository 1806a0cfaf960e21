/**
 * Sequence filters of Jinja 3.1 and Ansible 2.14: first/last, sort, min/max/sum, map/select/
 * selectattr (through the render's own filter and test tables), batch/slice/groupby, flatten,
 * zip, the itertools ones, subelements, random and shuffle (seeded as Python seeds).
 * Jinja returns generators for several of these; tend returns lists.
 */
import { define, type CallContext, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { compare, defined, equals, isMapping, isTuple, numberOf, PyFloat, repr, str, truthy, tuple, typeName, Undefined, type Mapping } from '../values.js'
import { below, PyRandom, randrange, shuffleInPlace } from './random.js'
import { attrGetter, getItem, ignoreCase, listOf, multiAttrGetter, needInt, ownKwargs, pyAdd } from './util.js'

const emptyUndefined = (what: string): Undefined => new Undefined(what, `No ${what} item, sequence was empty.`)

function sortBy(ctx: CallContext, items: readonly unknown[], key: (v: unknown) => unknown, reverse: boolean): unknown[] {
  ctx.charge(items.length * Math.max(1, Math.ceil(Math.log2(items.length + 1))))
  const keyed = items.map((item) => ({ item, key: key(item) }))
  keyed.sort((a, b) => (reverse ? compare(b.key, a.key) : compare(a.key, b.key)))
  return keyed.map((k) => k.item)
}

function minMax(ctx: CallContext, value: unknown, sign: 1 | -1, caseSensitive: unknown, attribute: unknown): unknown {
  const items = listOf(value, ctx)
  if (items.length === 0) return new Undefined('min', 'No aggregated item, sequence was empty.')
  const key = attrGetter(attribute, truthy(caseSensitive) ? undefined : ignoreCase)
  let best = items[0]
  let bestKey = key(best)
  for (const item of items.slice(1)) {
    const k = key(item)
    if (sign * compare(k, bestKey) < 0) {
      best = item
      bestKey = k
    }
  }
  return best
}

/** Python hashability, for Jinja's unique (a set of seen keys). */
export function isHashable(v: unknown): boolean {
  if (v instanceof Undefined) defined(v)
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat) return true
  return isTuple(v) && (v as unknown[]).every(isHashable)
}

/** Ansible's unique: Jinja's (case-insensitive unless told) when every key hashes, else by ==. */
export function unique(ctx: CallContext, value: unknown, caseSensitive: unknown = null, attribute: unknown = null): unknown[] {
  const items = listOf(value, ctx)
  ctx.charge(items.length)
  const key = attrGetter(attribute, truthy(caseSensitive) ? undefined : ignoreCase)
  const keys = items.map(key)
  const out: unknown[] = []
  if (keys.every((k) => !(k instanceof Undefined) && isHashable(k))) {
    const seen: unknown[] = []
    const seenStrings = new Set<string>()
    items.forEach((item, i) => {
      const k = keys[i]
      if (typeof k === 'string' ? seenStrings.has(k) : seen.some((s) => equals(s, k))) return
      if (typeof k === 'string') seenStrings.add(k)
      else seen.push(k)
      out.push(item)
    })
    return out
  }
  if (caseSensitive === false || (attribute !== null && attribute !== undefined)) {
    throw new TemplateError("Jinja2's unique filter failed and we cannot fall back to Ansible's version as it does not support the parameters supplied")
  }
  ctx.charge(items.length * items.length)
  for (const item of items) if (!out.some((x) => equals(x, item))) out.push(item)
  return out
}

function mapFilter(ctx: CallContext, value: unknown, args: readonly unknown[], given: Mapping): unknown[] {
  const kwargs = ownKwargs(given)
  if (!truthy(defined(value))) return []
  const items = listOf(value, ctx)
  if (!args.length && Object.hasOwn(kwargs, 'attribute')) {
    const extra = Object.keys(kwargs).filter((k) => k !== 'attribute' && k !== 'default')
    if (extra.length) throw new TemplateError(`Unexpected keyword argument '${extra[0]}'`)
    const get = attrGetter(kwargs.attribute, undefined, Object.hasOwn(kwargs, 'default') ? kwargs.default : undefined)
    return items.map(get)
  }
  if (!args.length) throw new TemplateError('map requires a filter argument')
  const name = args[0]
  if (typeof name !== 'string') throw new TemplateError(`map: the filter name must be a string, not ${typeName(name)}`)
  return items.map((item) => ctx.filter(name, item, args.slice(1), kwargs))
}

function selectOrReject(ctx: CallContext, value: unknown, args: readonly unknown[], kwargs: Mapping, keep: boolean, byAttribute: boolean): unknown[] {
  if (!truthy(defined(value))) return []
  const items = listOf(value, ctx)
  let offset = 0
  let get = (v: unknown): unknown => v
  if (byAttribute) {
    if (!args.length) throw new TemplateError('Missing parameter for attribute name')
    get = attrGetter(args[0])
    offset = 1
  }
  const testName = args[offset]
  const test = testName === undefined
    ? (v: unknown): boolean => truthy(defined(v))
    : (v: unknown): boolean => {
        if (typeof testName !== 'string') throw new TemplateError(`the test name must be a string, not ${typeName(testName)}`)
        return ctx.test(testName, v, args.slice(offset + 1), kwargs)
      }
  return items.filter((item) => test(get(item)) === keep)
}

/** Ansible's flatten: lists and tuples opened `levels` deep; None, 'None' and 'null' dropped. */
function flatten(ctx: CallContext, list: unknown, levels: number | null, skipNulls: boolean): unknown[] {
  const out: unknown[] = []
  for (const element of listOf(list, ctx)) {
    if (skipNulls && (element === null || element === 'None' || element === 'null')) continue
    if (Array.isArray(element)) {
      if (levels === null) out.push(...flatten(ctx, element, null, skipNulls))
      else if (levels >= 1) out.push(...flatten(ctx, element, levels - 1, skipNulls))
      else out.push(element)
    } else out.push(element)
  }
  return out
}

function zipLists(ctx: CallContext, lists: readonly unknown[][], longest: boolean, fill: unknown): unknown[] {
  if (!lists.length) return []
  const n = longest ? Math.max(...lists.map((l) => l.length)) : Math.min(...lists.map((l) => l.length))
  ctx.charge(n * lists.length)
  return Array.from({ length: n }, (_, i) => tuple(lists.map((l) => (i < l.length ? l[i] : fill))))
}

function product(ctx: CallContext, lists: readonly unknown[][], repeat: number): unknown[] {
  ctx.charge(Math.max(0, repeat) * Math.max(1, lists.length))
  const pools: unknown[][] = []
  for (let r = 0; r < repeat; r++) pools.push(...lists)
  // The whole result is charged before it is built: 100000 × 100000 tuples must fail, not fill the heap.
  ctx.charge(pools.reduce((n, pool) => n * pool.length, 1) * Math.max(1, pools.length))
  let result: unknown[][] = [[]]
  for (const pool of pools) {
    const next: unknown[][] = []
    for (const prefix of result) {
      for (const item of pool) next.push([...prefix, item])
    }
    ctx.charge(next.length)
    result = next
  }
  return result.map((r) => tuple(r))
}

function permutations(ctx: CallContext, pool: readonly unknown[], r: number): unknown[] {
  const out: unknown[] = []
  const used = new Array<boolean>(pool.length).fill(false)
  const current: unknown[] = []
  const walk = (): void => {
    if (current.length === r) {
      ctx.charge(1)
      out.push(tuple([...current]))
      return
    }
    for (let i = 0; i < pool.length; i++) {
      if (used[i]) continue
      used[i] = true
      current.push(pool[i])
      walk()
      current.pop()
      used[i] = false
    }
  }
  if (r <= pool.length) walk()
  return out
}

function combinations(ctx: CallContext, pool: readonly unknown[], r: number): unknown[] {
  const out: unknown[] = []
  const current: unknown[] = []
  const walk = (start: number): void => {
    if (current.length === r) {
      ctx.charge(1)
      out.push(tuple([...current]))
      return
    }
    for (let i = start; i < pool.length; i++) {
      current.push(pool[i])
      walk(i + 1)
      current.pop()
    }
  }
  if (r <= pool.length) walk(0)
  return out
}

function subelements(ctx: CallContext, obj: unknown, path: unknown, skipMissing: unknown): unknown[] {
  let elements: unknown[]
  if (isMapping(obj)) elements = Object.values(obj)
  else if (Array.isArray(obj) && !isTuple(obj)) elements = obj
  else throw new TemplateError('obj must be a list of dicts or a nested dict')
  let keys: unknown[]
  if (Array.isArray(path)) keys = path
  else if (typeof path === 'string') keys = path.split('.')
  else throw new TemplateError('subelements must be a list or a string')
  const out: unknown[] = []
  for (const element of elements) {
    let values: unknown = element
    let missing = false
    for (const key of keys) {
      if (!isMapping(values) && !Array.isArray(values) && typeof values !== 'string') {
        throw new TemplateError(`the key ${str(key)} should point to a dictionary, got '${str(values)}'`)
      }
      if (!isMapping(values)) throw new TemplateError(`the key ${str(key)} should point to a dictionary, got '${str(values)}'`)
      if (!Object.hasOwn(values, String(key))) {
        if (truthy(skipMissing)) {
          values = []
          missing = true
          break
        }
        throw new TemplateError(`could not find ${repr(key)} key in iterated item ${repr(values)}`)
      }
      values = getItem(values, String(key))
    }
    if (!missing && !Array.isArray(values)) throw new TemplateError(`the key ${repr(keys[keys.length - 1])} should point to a list, got ${repr(values)}`)
    for (const v of values as unknown[]) out.push(tuple([element, v]))
    ctx.charge((values as unknown[]).length)
  }
  return out
}

/** An integer argument of randrange (an integral float is accepted, as Python 3.11 still does). */
function rangeInt(v: unknown, what: string): number {
  const n = numberOf(v)
  if (n === undefined || typeof v === 'string') throw new TemplateError(`'${typeName(v)}' object cannot be interpreted as an integer`)
  if (!Number.isInteger(n)) throw new TemplateError(`non-integer ${what} for randrange()`)
  return n
}

function randomFilter(ctx: CallContext, end: unknown, start: unknown, step: unknown, seed: unknown): unknown {
  const rng = seed === null || seed === undefined ? undefined : new PyRandom(seed)
  if (typeof end === 'number' && Number.isInteger(end) || typeof end === 'boolean') {
    const s = truthy(start) ? rangeInt(start, 'arg 1') : 0
    const st = truthy(step) ? rangeInt(step, 'step') : 1
    return randrange(rng, s, Number(end), st)
  }
  if (Array.isArray(end) || typeof end === 'string' || isMapping(end)) {
    if (truthy(start) || truthy(step)) throw new TemplateError('start and step can only be used with integer values')
    const items = typeof end === 'string' ? [...end] : Array.isArray(end) ? end : undefined
    const size = items ? items.length : Object.keys(end as Mapping).length
    if (size === 0) throw new TemplateError('Cannot choose from an empty sequence')
    const index = below(rng, size)
    if (!items) throw new TemplateError(`KeyError: ${index}`)
    ctx.charge(1)
    return items[index]
  }
  throw new TemplateError('random can only be used on sequences and integers')
}

function shuffleFilter(value: unknown, seed: unknown): unknown {
  let items: unknown[]
  try {
    items = [...listOf(value)]
  } catch (error) {
    if (error instanceof TemplateError && !(value instanceof Undefined)) return value
    throw error
  }
  return shuffleInPlace(items, truthy(seed) ? new PyRandom(seed) : undefined)
}

function reverse(value: unknown): unknown {
  if (typeof value === 'string') return [...value].reverse().join('')
  if (Array.isArray(value)) return [...value].reverse()
  if (isMapping(value)) return Object.keys(value).reverse()
  defined(value)
  throw new TemplateError('argument must be iterable')
}

function groupby(ctx: CallContext, value: unknown, attribute: unknown, fallback: unknown, caseSensitive: unknown): unknown[] {
  const key = attrGetter(attribute, truthy(caseSensitive) ? undefined : ignoreCase, fallback)
  const sorted = sortBy(ctx, listOf(value, ctx), key, false)
  const groups: { key: unknown; items: unknown[] }[] = []
  for (const item of sorted) {
    const k = key(item)
    const last = groups[groups.length - 1]
    if (last && equals(last.key, k)) last.items.push(item)
    else groups.push({ key: k, items: [item] })
  }
  const output = truthy(caseSensitive) ? undefined : attrGetter(attribute, undefined, fallback)
  return groups.map((g) => tuple([output ? output(g.items[0]) : g.key, g.items]))
}

export const listFilters: CallableTable = {
  first: define(['seq'], (ctx, seq) => {
    const items = listOf(seq, ctx)
    return items.length ? items[0] : emptyUndefined('first')
  }),
  last: define(['seq'], (ctx, seq) => {
    if (typeof seq === 'number' || typeof seq === 'boolean' || seq === null || seq instanceof PyFloat) throw new TemplateError(`'${typeName(seq)}' object is not reversible`)
    const items = listOf(seq, ctx)
    return items.length ? items[items.length - 1] : emptyUndefined('last')
  }),
  length: define(['obj'], (_c, v) => listLength(v)),
  count: define(['obj'], (_c, v) => listLength(v)),
  list: define(['value'], (ctx, v) => [...listOf(v, ctx)]),
  sort: define(['value', 'reverse', 'case_sensitive', 'attribute'], (ctx, value, rev = false, cs = false, attribute = null) =>
    sortBy(ctx, listOf(value, ctx), multiAttrGetter(attribute, truthy(cs) ? undefined : ignoreCase), truthy(rev))),
  unique: define(['a', 'case_sensitive', 'attribute'], (ctx, a, cs = null, attribute = null) => unique(ctx, a, cs, attribute)),
  min: define(['value', 'case_sensitive', 'attribute'], (ctx, v, cs = false, attribute = null) => minMax(ctx, v, 1, cs, attribute)),
  max: define(['value', 'case_sensitive', 'attribute'], (ctx, v, cs = false, attribute = null) => minMax(ctx, v, -1, cs, attribute)),
  sum: define(['iterable', 'attribute', 'start'], (ctx, iterable, attribute = null, start = 0) => {
    let items = listOf(iterable, ctx)
    if (attribute !== null) items = items.map(attrGetter(attribute))
    if (typeof start === 'string') throw new TemplateError("sum() can't sum strings [use ''.join(seq) instead]")
    return items.reduce((acc, x) => pyAdd(acc, x), start)
  }),
  map: define(['value', '*args', '**kwargs'], (ctx, v, args, kwargs) => mapFilter(ctx, v, args as unknown[], kwargs as Mapping)),
  select: define(['value', '*args', '**kwargs'], (ctx, v, args, kwargs) => selectOrReject(ctx, v, args as unknown[], kwargs as Mapping, true, false)),
  reject: define(['value', '*args', '**kwargs'], (ctx, v, args, kwargs) => selectOrReject(ctx, v, args as unknown[], kwargs as Mapping, false, false)),
  selectattr: define(['value', '*args', '**kwargs'], (ctx, v, args, kwargs) => selectOrReject(ctx, v, args as unknown[], kwargs as Mapping, true, true)),
  rejectattr: define(['value', '*args', '**kwargs'], (ctx, v, args, kwargs) => selectOrReject(ctx, v, args as unknown[], kwargs as Mapping, false, true)),
  batch: define(['value', 'linecount', 'fill_with'], (ctx, value, linecount, fill = null) => {
    const n = needInt(linecount, 'linecount')
    if (fill !== null) ctx.charge(Math.max(0, n))
    const out: unknown[][] = []
    let tmp: unknown[] = []
    for (const item of listOf(value, ctx)) {
      if (tmp.length === n) {
        out.push(tmp)
        tmp = []
      }
      tmp.push(item)
    }
    if (tmp.length) {
      if (fill !== null && tmp.length < n) while (tmp.length < n) tmp.push(fill)
      out.push(tmp)
    }
    return out
  }),
  slice: define(['value', 'slices', 'fill_with'], (ctx, value, slices, fill = null) => {
    const seq = listOf(value, ctx)
    const n = needInt(slices, 'slices')
    if (n <= 0) throw new TemplateError('integer division or modulo by zero')
    const per = Math.floor(seq.length / n)
    const extra = seq.length % n
    let offset = 0
    const out: unknown[][] = []
    for (let i = 0; i < n; i++) {
      const start = offset + i * per
      if (i < extra) offset += 1
      const end = offset + (i + 1) * per
      const tmp = seq.slice(start, end)
      if (fill !== null && i >= extra) tmp.push(fill)
      out.push(tmp)
    }
    return out
  }),
  groupby: define(['value', 'attribute', 'default', 'case_sensitive'], (ctx, v, attribute, fallback = null, cs = false) => groupby(ctx, v, attribute, fallback, cs)),
  reverse: define(['value'], (_c, v) => reverse(v)),
  flatten: define(['mylist', 'levels', 'skip_nulls'], (ctx, list, levels = null, skipNulls = true) =>
    flatten(ctx, list, levels === null ? null : needInt(levels, 'levels'), truthy(skipNulls))),
  zip: define(['*iterables'], (ctx, its) => zipLists(ctx, (its as unknown[]).map((l) => listOf(l)), false, null)),
  zip_longest: define(['*iterables', 'fillvalue'], (ctx, its, fill = null) => zipLists(ctx, (its as unknown[]).map((l) => listOf(l)), true, fill)),
  product: define(['*iterables', 'repeat'], (ctx, its, repeat = 1) => product(ctx, (its as unknown[]).map((l) => listOf(l)), needInt(repeat, 'repeat'))),
  permutations: define(['iterable', 'r'], (ctx, it, r = null) => {
    const pool = listOf(it, ctx)
    return permutations(ctx, pool, r === null ? pool.length : needInt(r, 'r'))
  }),
  combinations: define(['iterable', 'r'], (ctx, it, r) => combinations(ctx, listOf(it, ctx), needInt(r, 'r'))),
  subelements: define(['obj', 'subelements', 'skip_missing'], (ctx, obj, path, skip = false) => subelements(ctx, obj, path, skip)),
  random: define(['end', 'start', 'step', 'seed'], (ctx, end, start = null, step = null, seed = null) => randomFilter(ctx, end, start, step, seed)),
  shuffle: define(['mylist', 'seed'], (_c, list, seed = null) => shuffleFilter(list, seed)),
}

function listLength(v: unknown): number {
  if (typeof v === 'string') return [...v].length
  if (Array.isArray(v)) return v.length
  if (isMapping(v)) return Object.keys(v).length
  defined(v)
  throw new TemplateError(`object of type '${typeName(v)}' has no len()`)
}
