/**
 * The functions a template may call by name: Jinja's range/dict/namespace and Ansible's
 * lookup/query. Lookups reach the controller only through the render's services, which the
 * caller grants (and checks: paths, taint); a lookup that would run a command is not offered.
 */
import { define, type CallContext, type CallableTable } from './callable.js'
import { TemplateError } from './errors.js'
import { Cycler, Joiner, Namespace } from './evaluate.js'
import { isMapping, iterate, numberOf, ownMember, str, Undefined, type Mapping } from './values.js'

function setOwn(target: Mapping, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function range(ctx: CallContext, a: unknown, b: unknown, c: unknown): number[] {
  const ints = [a, b, c].filter((x) => x !== undefined).map((x) => {
    const n = numberOf(x)
    if (n === undefined || !Number.isInteger(n) || typeof x === 'object') throw new TemplateError(`'${str(x)}' object cannot be interpreted as an integer`)
    return n
  })
  const [start, stop, step] = ints.length === 1 ? [0, ints[0]!, 1] : [ints[0]!, ints[1]!, ints[2] ?? 1]
  if (step === 0) throw new TemplateError('range() arg 3 must not be zero')
  const count = Math.max(0, Math.ceil((stop - start) / step))
  ctx.charge(count)
  const out: number[] = []
  for (let i = 0; i < count; i++) out.push(start + i * step)
  return out
}

function dict(ctx: CallContext, input: unknown, named: Mapping): Mapping {
  const out: Mapping = {}
  if (input !== undefined) {
    if (isMapping(input)) for (const key of Object.keys(input)) setOwn(out, key, ownMember(input, key)?.value)
    else {
      const pairs = iterate(input)
      ctx.charge(pairs.length)
      for (const pair of pairs) {
        const kv = iterate(pair)
        if (kv.length !== 2) throw new TemplateError('dictionary update sequence element has length ' + kv.length + '; 2 is required')
        setOwn(out, str(kv[0]), kv[1])
      }
    }
  }
  for (const key of Object.keys(named)) setOwn(out, key, named[key])
  return out
}

function namespace(_ctx: CallContext, input: unknown, named: Mapping): Namespace {
  const ns = new Namespace()
  if (isMapping(input)) for (const key of Object.keys(input)) setOwn(ns.values, key, ownMember(input, key)?.value)
  for (const key of Object.keys(named)) setOwn(ns.values, key, named[key])
  return ns
}

/** Lookups tend offers, and why the others are not there. */
const REFUSED_LOOKUPS: Readonly<Record<string, string>> = {
  pipe: 'it runs a command on the controller; run commands on the host with `command:` and `register:`',
  lines: 'it runs a command on the controller',
  password: 'it writes files on the controller',
  url: 'it makes network requests from the controller',
}

function lookupResults(ctx: CallContext, plugin: string, terms: readonly unknown[], named: Mapping): unknown[] {
  const services = ctx.services
  const flat = terms.flatMap((t) => (Array.isArray(t) ? t : [t]))
  switch (plugin) {
    case 'file': {
      const read = services.readControllerFile
      if (read === undefined) throw new TemplateError("lookup('file') is not available here")
      const rstrip = named.rstrip !== false
      return flat.map((term) => {
        const text = read(str(term), 'file')
        return rstrip ? text.replace(/\s+$/, '') : text
      })
    }
    case 'template': {
      const read = services.readControllerFile
      const render = services.renderTemplateText
      if (read === undefined || render === undefined) throw new TemplateError("lookup('template') is not available here")
      return flat.map((term) => render(read(str(term), 'template'), str(term)))
    }
    case 'env': {
      const env = services.env ?? {}
      return flat.map((term) => (Object.hasOwn(env, str(term)) ? (env[str(term)] ?? '') : (named.default ?? '')))
    }
    case 'vars': {
      const variable = services.variable
      if (variable === undefined) throw new TemplateError("lookup('vars') is not available here")
      return flat.map((term) => {
        const value = variable(str(term))
        if (value === undefined) {
          if (named.default !== undefined) return named.default
          throw new TemplateError(`No variable found with this name: ${str(term)}`, { undefinedName: str(term) })
        }
        return value
      })
    }
    case 'items':
    case 'list':
    case 'flattened':
      return flat
    case 'indexed_items':
      return flat.map((term, i) => [i, term])
    case 'dict': {
      return terms.flatMap((t) => {
        if (!isMapping(t)) throw new TemplateError("with_dict expects a dict")
        return Object.keys(t).map((key) => ({ key, value: ownMember(t, key)?.value }))
      })
    }
    default: {
      const why = REFUSED_LOOKUPS[plugin]
      throw new TemplateError(why ? `lookup('${plugin}') is not in tend: ${why}` : `lookup plugin '${plugin}' is not in tend (tend has file, template, env, vars, items, list, indexed_items, dict)`)
    }
  }
}

const pluginName = (name: unknown): string => str(name).replace(/^ansible\.(builtin|legacy)\./, '')

function lookup(ctx: CallContext, name: unknown, terms: unknown[], named: Mapping): unknown {
  const { wantlist, ...rest } = named
  const results = lookupResults(ctx, pluginName(name), terms, rest)
  if (wantlist === true) return results
  // Ansible joins a lookup's results with commas unless asked for the list.
  return results.every((r) => typeof r === 'string') ? results.join(',') : results.length === 1 ? results[0] : results
}

function query(ctx: CallContext, name: unknown, terms: unknown[], named: Mapping): unknown[] {
  const { wantlist: _w, ...rest } = named
  return lookupResults(ctx, pluginName(name), terms, rest)
}

export const globals: CallableTable = {
  range: define(['start', 'stop', 'step'], (ctx, a, b, c) => range(ctx, a, b, c)),
  dict: define(['mapping', '**named'], (ctx, input, named) => dict(ctx, input, named as Mapping)),
  namespace: define(['mapping', '**named'], (ctx, input, named) => namespace(ctx, input, named as Mapping)),
  undef: define(['hint'], (_ctx, hint) => new Undefined('undef()', hint === undefined ? 'Mandatory variable has not been overridden' : str(hint))),
  joiner: define(['sep'], (_ctx, sep) => new Joiner(sep === undefined ? ', ' : str(sep))),
  cycler: define(['*items'], (_ctx, items) => new Cycler(items as unknown[])),
  lookup: define(['name', '*terms', '**named'], (ctx, name, terms, named) => lookup(ctx, name, terms as unknown[], named as Mapping)),
  query: define(['name', '*terms', '**named'], (ctx, name, terms, named) => query(ctx, name, terms as unknown[], named as Mapping)),
  q: define(['name', '*terms', '**named'], (ctx, name, terms, named) => query(ctx, name, terms as unknown[], named as Mapping)),
}
