/**
 * Mapping filters: Ansible's combine (merge_hash with recursive and list_merge), dict2items,
 * items2dict, extract, rekey_on_member; Jinja's dictsort, items, attr, xmlattr. Every dict built
 * from data keys sets them as own keys, so a `__proto__` key is data, never a prototype.
 */
import { define, type CallContext, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { compare, defined, equals, isMapping, isTuple, ownMember, repr, str, truthy, tuple, typeName, Undefined, type Mapping } from '../values.js'
import { htmlEscape } from './strings.js'
import { checkDefined, copyDict, ignoreCase, keyOf, ownKwargs, setKey, toText } from './util.js'

const LIST_MERGE = ['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp']

/** Python's `<class 'list'>` for Ansible's type messages. */
const pyClass = (v: unknown): string => `<class '${isTuple(v) ? 'tuple' : typeName(v)}'>`

/** Ansible's merge_hash(x, y): y's keys win; dicts merge when recursive; lists by list_merge. */
export function mergeHash(ctx: CallContext, x: unknown, y: unknown, recursive: boolean, listMerge: string): Mapping {
  if (!isMapping(x) || !isMapping(y)) {
    throw new TemplateError(`failed to combine variables, expected dicts but got a '${typeName(x)}' and a '${typeName(y)}': \n${str(x)}\n${str(y)}`)
  }
  ctx.charge(Object.keys(x).length + Object.keys(y).length)
  if (Object.keys(x).length === 0 || equals(x, y)) return copyDict(y)
  const out = copyDict(x)
  for (const key of Object.keys(y)) {
    const yv = y[key]
    if (!Object.hasOwn(out, key)) {
      setKey(out, key, yv)
      continue
    }
    const xv = out[key]
    if (isMapping(xv) && isMapping(yv)) {
      setKey(out, key, recursive ? mergeHash(ctx, xv, yv, recursive, listMerge) : yv)
      continue
    }
    if (Array.isArray(xv) && Array.isArray(yv) && !isTuple(xv) && !isTuple(yv)) {
      const notIn = (list: unknown[]) => (z: unknown) => !list.some((w) => equals(w, z))
      switch (listMerge) {
        case 'replace':
          setKey(out, key, yv)
          break
        case 'append':
          setKey(out, key, [...xv, ...yv])
          break
        case 'prepend':
          setKey(out, key, [...yv, ...xv])
          break
        case 'append_rp':
          setKey(out, key, [...xv.filter(notIn(yv)), ...yv])
          break
        case 'prepend_rp':
          setKey(out, key, [...yv, ...xv.filter(notIn(yv))])
          break
        default:
          break
      }
      continue
    }
    setKey(out, key, yv)
  }
  return out
}

function combine(ctx: CallContext, terms: readonly unknown[], given: Mapping): unknown {
  const kwargs = ownKwargs(given)
  const recursive = truthy(kwargs.recursive ?? false)
  const listMerge = kwargs.list_merge ?? 'replace'
  if (Object.keys(kwargs).some((k) => k !== 'recursive' && k !== 'list_merge')) {
    throw new TemplateError("'recursive' and 'list_merge' are the only valid keyword arguments")
  }
  // Ansible's flatten(terms, levels=1): a list of dicts counts as its dicts; None is skipped.
  const dictionaries: unknown[] = []
  const skip = (v: unknown): boolean => v === null || v === 'None' || v === 'null'
  for (const term of terms) {
    if (skip(term)) continue
    if (Array.isArray(term)) {
      for (const t of term) if (!skip(t)) dictionaries.push(t)
    } else dictionaries.push(term)
  }
  checkDefined(dictionaries)
  if (typeof listMerge !== 'string' || !LIST_MERGE.includes(listMerge)) {
    throw new TemplateError("merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'")
  }
  if (dictionaries.length === 0) return {}
  if (dictionaries.length === 1) return dictionaries[0]
  let result = dictionaries[dictionaries.length - 1]
  for (let i = dictionaries.length - 2; i >= 0; i--) result = mergeHash(ctx, dictionaries[i], result, recursive, listMerge)
  return result
}

function dict2items(ctx: CallContext, mydict: unknown, keyName: unknown, valueName: unknown): unknown[] {
  if (!isMapping(mydict)) throw new TemplateError(`dict2items requires a dictionary, got ${pyClass(mydict)} instead.`)
  const k = keyOf(keyName)
  const v = keyOf(valueName)
  ctx.charge(Object.keys(mydict).length)
  return Object.keys(mydict).map((key) => {
    const item: Mapping = {}
    setKey(item, k, key)
    setKey(item, v, mydict[key])
    return item
  })
}

function items2dict(ctx: CallContext, mylist: unknown, keyName: unknown, valueName: unknown): Mapping {
  if (!Array.isArray(mylist)) throw new TemplateError(`items2dict requires a list, got ${pyClass(mylist)} instead.`)
  ctx.charge(mylist.length)
  const out: Mapping = {}
  for (const item of mylist) {
    if (!isMapping(item)) {
      defined(item)
      throw new TemplateError(`items2dict requires a list of dictionaries, got ${str(mylist)} instead.`)
    }
    const key = ownMember(item, keyOf(keyName))
    const value = ownMember(item, keyOf(valueName))
    if (key === undefined || value === undefined) {
      throw new TemplateError(`items2dict requires each dictionary in the list to contain the keys '${str(keyName)}' and '${str(valueName)}', got ${str(mylist)} instead.`)
    }
    setKey(out, keyOf(key.value), value.value)
  }
  return out
}

/** Jinja's environment.getitem: an own member, else Undefined; an Undefined container stays itself. */
function getItemOrUndefined(container: unknown, key: unknown): unknown {
  if (container instanceof Undefined) return container
  const found = ownMember(container, key)
  if (found !== undefined) return found.value
  const what = isMapping(container) ? 'dict object' : `${typeName(container)} object`
  return new Undefined(str(key), `'${what}' has no attribute '${str(key)}'`)
}

function rekeyOnMember(ctx: CallContext, data: unknown, key: unknown, duplicates: unknown): Mapping {
  if (duplicates !== 'error' && duplicates !== 'overwrite') {
    throw new TemplateError(`duplicates parameter to rekey_on_member has unknown value: ${str(duplicates)}`)
  }
  let items: unknown[]
  if (isMapping(data)) items = Object.values(data)
  else if (Array.isArray(data)) items = data
  else throw new TemplateError('Type is not a valid list, set, or dict')
  ctx.charge(items.length)
  const out: Mapping = {}
  for (const item of items) {
    if (!isMapping(item)) throw new TemplateError('List item is not a valid dict')
    const found = ownMember(item, keyOf(key))
    if (found === undefined) throw new TemplateError(`Key ${str(key)} was not found`)
    const k = keyOf(found.value)
    if (Object.hasOwn(out, k) && truthy(out[k])) {
      if (duplicates === 'error') throw new TemplateError(`Key ${str(found.value)} is not unique, cannot correctly turn into dict`)
    }
    setKey(out, k, item)
  }
  return out
}

function dictsort(ctx: CallContext, value: unknown, caseSensitive: unknown, by: unknown, reverse: unknown): unknown[] {
  if (!isMapping(value)) {
    defined(value)
    throw new TemplateError(`'${typeName(value)}' object has no attribute 'items'`)
  }
  let pos: 0 | 1
  if (by === 'key') pos = 0
  else if (by === 'value') pos = 1
  else throw new TemplateError('You can only sort by either "key" or "value"')
  const items = Object.keys(value).map((k) => tuple([k, value[k]]))
  ctx.charge(items.length * Math.max(1, Math.ceil(Math.log2(items.length + 1))))
  const keyOfItem = (item: unknown[]): unknown => (truthy(caseSensitive) ? item[pos] : ignoreCase(item[pos]))
  const keyed = items.map((item) => ({ item, key: keyOfItem(item) }))
  keyed.sort((a, b) => (truthy(reverse) ? compare(b.key, a.key) : compare(a.key, b.key)))
  return keyed.map((k) => k.item)
}

function xmlattr(d: unknown, autospace: unknown): string {
  if (!isMapping(d)) throw new TemplateError(`'${typeName(d)}' object has no attribute 'items'`)
  const items: string[] = []
  for (const key of Object.keys(d)) {
    const value = d[key]
    if (value === null || value instanceof Undefined) continue
    if (/[\s/>=]/.test(key)) throw new TemplateError(`Invalid character in attribute name: ${repr(key)}`)
    items.push(`${htmlEscape(key)}="${htmlEscape(toText(value))}"`)
  }
  const rv = items.join(' ')
  return truthy(autospace) && rv ? ` ${rv}` : rv
}

export const dictFilters: CallableTable = {
  combine: define(['*terms', '**kwargs'], (ctx, terms, kwargs) => combine(ctx, terms as unknown[], kwargs as Mapping)),
  dict2items: define(['mydict', 'key_name', 'value_name'], (ctx, d, k = 'key', v = 'value') => dict2items(ctx, d, k, v)),
  items2dict: define(['mylist', 'key_name', 'value_name'], (ctx, l, k = 'key', v = 'value') => items2dict(ctx, l, k, v)),
  extract: define(['item', 'container', 'morekeys'], (_ctx, item, container, morekeys = null) => {
    const keys = morekeys === null ? [item] : Array.isArray(morekeys) && !isTuple(morekeys) ? [item, ...morekeys] : [item, morekeys]
    let value: unknown = container
    for (const key of keys) value = getItemOrUndefined(value, key)
    return value
  }),
  rekey_on_member: define(['data', 'key', 'duplicates'], (ctx, data, key, dup = 'error') => rekeyOnMember(ctx, data, key, dup)),
  dictsort: define(['value', 'case_sensitive', 'by', 'reverse'], (ctx, v, cs = false, by = 'key', rev = false) => dictsort(ctx, v, cs, by, rev)),
  items: define(['value'], (ctx, value) => {
    if (value instanceof Undefined) return []
    if (!isMapping(value)) throw new TemplateError('Can only get item pairs from a mapping.')
    ctx.charge(Object.keys(value).length)
    return Object.keys(value).map((k) => tuple([k, value[k]]))
  }, { acceptsUndefined: true }),
  // Python's getattr: plain data has no attributes (dict keys are items, not attributes).
  attr: define(['obj', 'name'], (_ctx, obj, name) => {
    const what = isMapping(obj) ? 'dict object' : `${typeName(obj)} object`
    return new Undefined(toText(name), `'${what}' has no attribute '${toText(name)}'`)
  }),
  xmlattr: define(['d', 'autospace'], (_ctx, d, autospace = true) => xmlattr(d, autospace)),
}
