/**
 * The Python methods templates call on plain data: `'a,b'.split(',')`, `name.startswith(('a',
 * 'b'))`, `'{:>8}'.format(x)`, `items.append(x)`, `d.get('k', 0)`, `d.items()`. Each is a
 * Callable whose first parameter is `self`. List and dict methods that change their target do so
 * in place; the evaluator decides which values a template may change (its own, not its inputs).
 */
import { define, type CallContext, type Callable } from './callable.js'
import { TemplateError } from './errors.js'
import { copyDict, keyOf, listOf, needInt, setKey } from './filters/util.js'
import * as py from './filters/pystring.js'
import { strFormat } from './pyformat.js'
import { compare, defined, equals, isMapping, isTuple, ownMember, repr, truthy, tuple, typeName, type Mapping } from './values.js'

const optionalInt = (v: unknown, what: string): number | null => (v === null || v === undefined ? null : needInt(v, what))

function needStr(v: unknown, method: string): string {
  defined(v)
  if (typeof v !== 'string') throw new TemplateError(`${method} arg must be None or str, not ${typeName(v)}`)
  return v
}

function affix(self: string, prefix: unknown, start: unknown, end: unknown, which: 'startswith' | 'endswith'): boolean {
  const cs = py.chars(self)
  const [a, b] = py.sliceBounds(cs.length, optionalInt(start, 'start'), optionalInt(end, 'end'))
  if ((optionalInt(start, 'start') ?? 0) > cs.length) return false
  const part = cs.slice(a, Math.max(a, b)).join('')
  const options = isTuple(prefix) ? (prefix as unknown[]) : [prefix]
  return options.some((p) => {
    if (typeof p !== 'string') {
      throw new TemplateError(`${which} first arg must be str or a tuple of str, not ${typeName(p)}`)
    }
    return which === 'startswith' ? part.startsWith(p) : part.endsWith(p)
  })
}

function findIndex(self: string, sub: unknown, start: unknown, end: unknown, last: boolean, raise: boolean): number {
  if (typeof sub !== 'string') throw new TemplateError(`must be str, not ${typeName(sub)}`)
  const i = py.find(self, sub, optionalInt(start, 'start'), optionalInt(end, 'end'), last)
  if (i === -1 && raise) throw new TemplateError('substring not found')
  return i
}

function join(self: string, iterable: unknown): string {
  const items = listOf(iterable)
  items.forEach((x, i) => {
    if (typeof x !== 'string') {
      defined(x)
      throw new TemplateError(`sequence item ${i}: expected str instance, ${typeName(x)} found`)
    }
  })
  return items.join(self)
}

function padded(ctx: CallContext, self: string, width: unknown, fill: unknown, fn: (s: string, w: number, f: string) => string): string {
  ctx.charge(Math.max(0, needInt(width, 'width')))
  const f = fill === undefined ? ' ' : fill
  if (typeof f !== 'string' || py.chars(f).length !== 1) throw new TemplateError('The fill character must be exactly one character long')
  return fn(self, needInt(width, 'width'), f)
}

const STRING_METHODS: Readonly<Record<string, Callable>> = {
  split: define(['self', 'sep', 'maxsplit'], (_c, s, sep = null, max = -1) => py.split(s as string, sep === null ? null : needStr(sep, 'split'), needInt(max, 'maxsplit'))),
  rsplit: define(['self', 'sep', 'maxsplit'], (_c, s, sep = null, max = -1) => py.rsplit(s as string, sep === null ? null : needStr(sep, 'rsplit'), needInt(max, 'maxsplit'))),
  strip: define(['self', 'chars'], (_c, s, chars = null) => py.strip(s as string, chars === null ? null : needStr(chars, 'strip'))),
  lstrip: define(['self', 'chars'], (_c, s, chars = null) => py.strip(s as string, chars === null ? null : needStr(chars, 'lstrip'), 'left')),
  rstrip: define(['self', 'chars'], (_c, s, chars = null) => py.strip(s as string, chars === null ? null : needStr(chars, 'rstrip'), 'right')),
  startswith: define(['self', 'prefix', 'start', 'end'], (_c, s, p, a, b) => affix(s as string, p, a, b, 'startswith')),
  endswith: define(['self', 'suffix', 'start', 'end'], (_c, s, p, a, b) => affix(s as string, p, a, b, 'endswith')),
  lower: define(['self'], (_c, s) => (s as string).toLowerCase()),
  upper: define(['self'], (_c, s) => (s as string).toUpperCase()),
  casefold: define(['self'], (_c, s) => (s as string).toLowerCase().replaceAll('ß', 'ss')),
  title: define(['self'], (_c, s) => py.title(s as string)),
  capitalize: define(['self'], (_c, s) => py.capitalize(s as string)),
  swapcase: define(['self'], (_c, s) => py.swapcase(s as string)),
  replace: define(['self', 'old', 'new', 'count'], (_c, s, old, replacement, count = -1) =>
    py.replace(s as string, needStr(old, 'replace'), needStr(replacement, 'replace'), needInt(count, 'count'))),
  format: define(['self', '*args', '**kwargs'], (_c, s, args, kwargs) => strFormat(s as string, args as unknown[], kwargs as Mapping)),
  format_map: define(['self', 'mapping'], (_c, s, mapping) => {
    if (!isMapping(mapping)) throw new TemplateError(`'${typeName(mapping)}' object is not subscriptable`)
    return strFormat(s as string, [], mapping)
  }),
  join: define(['self', 'iterable'], (_c, s, it) => join(s as string, it)),
  find: define(['self', 'sub', 'start', 'end'], (_c, s, sub, a = null, b = null) => findIndex(s as string, sub, a, b, false, false)),
  rfind: define(['self', 'sub', 'start', 'end'], (_c, s, sub, a = null, b = null) => findIndex(s as string, sub, a, b, true, false)),
  index: define(['self', 'sub', 'start', 'end'], (_c, s, sub, a = null, b = null) => findIndex(s as string, sub, a, b, false, true)),
  rindex: define(['self', 'sub', 'start', 'end'], (_c, s, sub, a = null, b = null) => findIndex(s as string, sub, a, b, true, true)),
  count: define(['self', 'sub', 'start', 'end'], (_c, s, sub, a = null, b = null) => py.count(s as string, needStr(sub, 'count'), optionalInt(a, 'start'), optionalInt(b, 'end'))),
  splitlines: define(['self', 'keepends'], (_c, s, keep = false) => py.splitlines(s as string, Boolean(keep))),
  isdigit: define(['self'], (_c, s) => py.isdigit(s as string)),
  isdecimal: define(['self'], (_c, s) => py.isdecimal(s as string)),
  isnumeric: define(['self'], (_c, s) => py.isnumeric(s as string)),
  isalpha: define(['self'], (_c, s) => py.isalpha(s as string)),
  isalnum: define(['self'], (_c, s) => py.isalnum(s as string)),
  isspace: define(['self'], (_c, s) => py.isspace(s as string)),
  islower: define(['self'], (_c, s) => py.islower(s as string)),
  isupper: define(['self'], (_c, s) => py.isupper(s as string)),
  istitle: define(['self'], (_c, s) => py.istitle(s as string)),
  isidentifier: define(['self'], (_c, s) => py.isidentifier(s as string)),
  isascii: define(['self'], (_c, s) => py.isascii(s as string)),
  zfill: define(['self', 'width'], (ctx, s, w) => {
    ctx.charge(Math.max(0, needInt(w, 'width')))
    return py.zfill(s as string, needInt(w, 'width'))
  }),
  center: define(['self', 'width', 'fillchar'], (ctx, s, w, f) => padded(ctx, s as string, w, f, py.center)),
  ljust: define(['self', 'width', 'fillchar'], (ctx, s, w, f) => padded(ctx, s as string, w, f, py.ljust)),
  rjust: define(['self', 'width', 'fillchar'], (ctx, s, w, f) => padded(ctx, s as string, w, f, py.rjust)),
  partition: define(['self', 'sep'], (_c, s, sep) => tuple(py.partition(s as string, needStr(sep, 'partition')))),
  rpartition: define(['self', 'sep'], (_c, s, sep) => tuple(py.partition(s as string, needStr(sep, 'rpartition'), true))),
  expandtabs: define(['self', 'tabsize'], (ctx, s, t = 8) => {
    ctx.charge(Math.max(0, needInt(t, 'tabsize')) * ((s as string).split('\t').length - 1))
    return py.expandtabs(s as string, needInt(t, 'tabsize'))
  }),
  translate: define(['self', 'table'], (_c, s, table) => {
    if (!isMapping(table)) throw new TemplateError(`'${typeName(table)}' object is not subscriptable`)
    let out = ''
    for (const ch of s as string) {
      const found = ownMember(table, ch.codePointAt(0)!)
      if (found === undefined) out += ch
      else if (found.value === null) continue
      else if (typeof found.value === 'string') out += found.value
      else if (typeof found.value === 'number' && Number.isInteger(found.value) && found.value >= 0 && found.value <= 0x10ffff) out += String.fromCodePoint(found.value)
      else throw new TemplateError('character mapping must return integer, None or str')
    }
    return out
  }),
  removeprefix: define(['self', 'prefix'], (_c, s, p) => {
    const prefix = needStr(p, 'removeprefix')
    return (s as string).startsWith(prefix) ? (s as string).slice(prefix.length) : s
  }),
  removesuffix: define(['self', 'suffix'], (_c, s, p) => {
    const suffix = needStr(p, 'removesuffix')
    return suffix && (s as string).endsWith(suffix) ? (s as string).slice(0, -suffix.length) : s
  }),
}

function listIndex(list: unknown[], value: unknown, start: unknown, stop: unknown): number {
  const [a, b] = py.sliceBounds(list.length, optionalInt(start, 'start'), optionalInt(stop, 'stop'))
  for (let i = a; i < b; i++) if (equals(list[i], value)) return i
  throw new TemplateError(`${repr(value)} is not in ${isTuple(list) ? 'tuple' : 'list'}`)
}

const SEQUENCE_METHODS: Readonly<Record<string, Callable>> = {
  index: define(['self', 'value', 'start', 'stop'], (_c, l, v, a = null, b = null) => listIndex(l as unknown[], v, a, b)),
  count: define(['self', 'value'], (ctx, l, v) => {
    ctx.charge((l as unknown[]).length)
    return (l as unknown[]).filter((x) => equals(x, v)).length
  }),
}

const LIST_METHODS: Readonly<Record<string, Callable>> = {
  ...SEQUENCE_METHODS,
  append: define(['self', 'object'], (_c, l, v) => {
    ;(l as unknown[]).push(v)
    return null
  }),
  extend: define(['self', 'iterable'], (ctx, l, it) => {
    const items = [...listOf(it, ctx)]
    ;(l as unknown[]).push(...items)
    return null
  }),
  insert: define(['self', 'index', 'object'], (_c, l, i, v) => {
    const list = l as unknown[]
    let at = needInt(i, 'index')
    if (at < 0) at = Math.max(0, list.length + at)
    list.splice(Math.min(at, list.length), 0, v)
    return null
  }),
  pop: define(['self', 'index'], (_c, l, i = -1) => {
    const list = l as unknown[]
    if (list.length === 0) throw new TemplateError('pop from empty list')
    let at = needInt(i, 'index')
    if (at < 0) at += list.length
    if (at < 0 || at >= list.length) throw new TemplateError('pop index out of range')
    return list.splice(at, 1)[0]
  }),
  remove: define(['self', 'value'], (_c, l, v) => {
    const list = l as unknown[]
    const at = list.findIndex((x) => equals(x, v))
    if (at === -1) throw new TemplateError('list.remove(x): x not in list')
    list.splice(at, 1)
    return null
  }),
  reverse: define(['self'], (_c, l) => {
    ;(l as unknown[]).reverse()
    return null
  }),
  clear: define(['self'], (_c, l) => {
    ;(l as unknown[]).length = 0
    return null
  }),
  copy: define(['self'], (_c, l) => [...(l as unknown[])]),
  // No `key=`: a template has no function to pass.
  sort: define(['self', 'reverse'], (ctx, l, reverse = false) => {
    const list = l as unknown[]
    ctx.charge(list.length * Math.max(1, Math.ceil(Math.log2(list.length + 1))))
    const sorted = [...list].sort((a, b) => (truthy(reverse) ? compare(b, a) : compare(a, b)))
    list.splice(0, list.length, ...sorted)
    return null
  }),
}

function dictGet(d: Mapping, key: unknown, fallback: unknown): unknown {
  if (Array.isArray(key) && !isTuple(key)) throw new TemplateError("unhashable type: 'list'")
  if (isMapping(key)) throw new TemplateError("unhashable type: 'dict'")
  const found = ownMember(d, typeof key === 'string' ? key : keyOf(key))
  return found === undefined ? fallback : found.value
}

const DICT_METHODS: Readonly<Record<string, Callable>> = {
  items: define(['self'], (ctx, d) => {
    const m = d as Mapping
    ctx.charge(Object.keys(m).length)
    return Object.keys(m).map((k) => tuple([k, m[k]]))
  }),
  keys: define(['self'], (_c, d) => Object.keys(d as Mapping)),
  values: define(['self'], (_c, d) => Object.values(d as Mapping)),
  get: define(['self', 'key', 'default'], (_c, d, k, fallback = null) => dictGet(d as Mapping, k, fallback), { acceptsUndefined: true }),
  copy: define(['self'], (_c, d) => copyDict(d as Mapping)),
  update: define(['self', 'other', '**kwargs'], (ctx, d, other = null, kwargs) => {
    const target = d as Mapping
    if (other !== null) {
      if (isMapping(other)) {
        for (const k of Object.keys(other)) setKey(target, k, other[k])
      } else {
        for (const pair of listOf(other, ctx)) {
          const kv = listOf(pair)
          if (kv.length !== 2) throw new TemplateError(`dictionary update sequence element has length ${kv.length}; 2 is required`)
          setKey(target, keyOf(kv[0]), kv[1])
        }
      }
    }
    for (const [k, v] of Object.entries(kwargs as Mapping)) setKey(target, k, v)
    return null
  }),
  pop: define(['self', 'key', 'default'], (_c, d, k, ...rest) => {
    const target = d as Mapping
    const key = keyOf(k)
    const found = ownMember(target, key)
    if (found === undefined) {
      if (rest[0] !== undefined) return rest[0]
      throw new TemplateError(`KeyError: ${repr(k)}`)
    }
    delete target[key]
    return found.value
  }),
  setdefault: define(['self', 'key', 'default'], (_c, d, k, fallback = null) => {
    const target = d as Mapping
    const key = keyOf(k)
    const found = ownMember(target, key)
    if (found !== undefined) return found.value
    setKey(target, key, fallback)
    return fallback
  }),
  clear: define(['self'], (_c, d) => {
    for (const k of Object.keys(d as Mapping)) delete (d as Mapping)[k]
    return null
  }),
}

/** The method `name` of a template value, or undefined when Python's type has none by that name. */
export function methodOf(target: unknown, name: string): Callable | undefined {
  let table: Readonly<Record<string, Callable>> | undefined
  if (typeof target === 'string') table = STRING_METHODS
  else if (isTuple(target)) table = SEQUENCE_METHODS
  else if (Array.isArray(target)) table = LIST_METHODS
  else if (isMapping(target)) table = DICT_METHODS
  if (table === undefined || !Object.hasOwn(table, name)) return undefined
  return table[name]
}
