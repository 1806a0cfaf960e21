/**
 * Serialisation filters: to_json/to_nice_json/tojson (Python's json.dumps), from_json,
 * to_yaml/to_nice_yaml (PyYAML through Ansible's dumper), from_yaml/from_yaml_all, pprint.
 */
import { define, type CallContext, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { isMapping, isTuple, numberOf, repr, truthy, typeName, type Mapping } from '../values.js'
import { dumpJson, loadJson, type JsonDumpOptions } from './json.js'
import { splitlines } from './pystring.js'
import { codePointCompare, needInt, ownKwargs, toText } from './util.js'
import { dumpYaml, type DumpOptions } from './yaml-emit.js'
import { loadYaml, loadYamlAll } from './yaml-load.js'

const JSON_KEYS = new Set(['indent', 'sort_keys', 'ensure_ascii', 'separators', 'allow_nan', 'skipkeys', 'check_circular', 'vault_to_text', 'preprocess_unsafe'])

function jsonOptions(given: Mapping): JsonDumpOptions {
  const kw = ownKwargs(given)
  for (const k of Object.keys(kw)) if (!JSON_KEYS.has(k)) throw new TemplateError(`__init__() got an unexpected keyword argument '${k}'`)
  let indent: string | undefined
  const i = kw.indent
  if (i !== undefined && i !== null) indent = typeof i === 'string' ? i : ' '.repeat(Math.max(0, needInt(i, 'indent')))
  let separators: [string, string] | undefined
  if (kw.separators !== undefined && kw.separators !== null) {
    const s = kw.separators
    if (!Array.isArray(s) || s.length !== 2) throw new TemplateError('separators must be a (item_separator, key_separator) pair')
    separators = [toText(s[0]), toText(s[1])]
  }
  return {
    indent,
    sortKeys: truthy(kw.sort_keys ?? false),
    ensureAscii: truthy(kw.ensure_ascii ?? true),
    allowNan: truthy(kw.allow_nan ?? true),
    ...(separators ? { separators } : {}),
  }
}

function duplicate(kw: Mapping, names: readonly string[], fn: string): void {
  for (const n of names) if (Object.hasOwn(kw, n)) throw new TemplateError(`${fn}() got multiple values for keyword argument '${n}'`)
}

const YAML_KEYS = new Set(['indent', 'width', 'sort_keys', 'explicit_start', 'explicit_end', 'line_break', 'default_flow_style'])

function yamlOptions(given: Mapping, defaults: Partial<DumpOptions>): DumpOptions {
  const kw = ownKwargs(given)
  duplicate(kw, ['allow_unicode', 'Dumper'], 'dump_all')
  for (const k of Object.keys(kw)) if (!YAML_KEYS.has(k)) throw new TemplateError(`to_yaml - tend's YAML writer does not support the '${k}' option`)
  const flow = kw.default_flow_style
  const num = (v: unknown, fallback: number): number => (v === undefined || v === null ? fallback : (numberOf(v) ?? fallback))
  const lineBreak = kw.line_break === undefined || kw.line_break === null ? '\n' : toText(kw.line_break)
  return {
    defaultFlowStyle: defaults.defaultFlowStyle !== undefined ? defaults.defaultFlowStyle : flow === undefined || flow === null ? null : truthy(flow),
    indent: num(kw.indent, defaults.indent ?? 2),
    width: num(kw.width, 80),
    sortKeys: truthy(kw.sort_keys ?? true),
    explicitStart: truthy(kw.explicit_start ?? false),
    explicitEnd: truthy(kw.explicit_end ?? false),
    lineBreak: ['\r', '\n', '\r\n'].includes(lineBreak) ? lineBreak : '\n',
    allowUnicode: true,
  }
}

function charger(ctx: CallContext): (n: number) => void {
  return (n) => ctx.charge(n)
}

// ---- pprint (Python's pprint.pformat, width 80, dicts sorted) ----

const WIDTH = 80

/** pprint's repr: like repr(), but dict keys sorted. */
function sortedRepr(v: unknown): string {
  if (isMapping(v)) return `{${Object.keys(v).sort(codePointCompare).map((k) => `${repr(k)}: ${sortedRepr(v[k])}`).join(', ')}}`
  if (Array.isArray(v)) {
    const inner = v.map(sortedRepr).join(', ')
    return isTuple(v) ? `(${inner}${v.length === 1 ? ',' : ''})` : `[${inner}]`
  }
  return repr(v)
}

function pformat(value: unknown): string {
  let out = ''
  const write = (s: string): void => {
    out += s
  }
  const format = (v: unknown, indent: number, allowance: number, level: number): void => {
    const rep = sortedRepr(v)
    const maxWidth = WIDTH - indent - allowance
    if ([...rep].length <= maxWidth) {
      write(rep)
      return
    }
    if (isMapping(v)) {
      const keys = Object.keys(v).sort(codePointCompare)
      write('{')
      keys.forEach((k, i) => {
        const key = repr(k)
        write(key + ': ')
        format(v[k], indent + 1 + [...key].length + 2, i === keys.length - 1 ? allowance + 1 : 1, level + 1)
        if (i < keys.length - 1) write(`,\n${' '.repeat(indent + 1)}`)
      })
      write('}')
      return
    }
    if (Array.isArray(v)) {
      const tupleLike = isTuple(v)
      write(tupleLike ? '(' : '[')
      v.forEach((item, i) => {
        format(item, indent + 1, i === v.length - 1 ? allowance + 1 : 1, level + 1)
        if (i < v.length - 1) write(`,\n${' '.repeat(indent + 1)}`)
      })
      if (tupleLike && v.length === 1) write(',')
      write(tupleLike ? ')' : ']')
      return
    }
    if (typeof v === 'string' && v.length) {
      formatString(v, indent, allowance, level, write)
      return
    }
    write(rep)
  }
  format(value, 0, 0, 1)
  return out
}

function formatString(s: string, indent: number, allowance: number, level: number, write: (s: string) => void): void {
  const chunks: string[] = []
  const lines = splitlines(s, true)
  if (level === 1) {
    indent += 1
    allowance += 1
  }
  let maxWidth1 = WIDTH - indent
  const maxWidth = WIDTH - indent
  lines.forEach((line, i) => {
    const rep = repr(line)
    if (i === lines.length - 1) maxWidth1 -= allowance
    if ([...rep].length <= maxWidth1) {
      chunks.push(rep)
      return
    }
    const parts = line.match(/\S*\s*/gu) ?? ['']
    parts.pop()
    let maxWidth2 = maxWidth
    let current = ''
    parts.forEach((part, j) => {
      const candidate = current + part
      if (j === parts.length - 1 && i === lines.length - 1) maxWidth2 -= allowance
      if ([...repr(candidate)].length > maxWidth2) {
        if (current) chunks.push(repr(current))
        current = part
      } else current = candidate
    })
    if (current) chunks.push(repr(current))
  })
  if (chunks.length === 1) {
    write(repr(s))
    return
  }
  if (level === 1) write('(')
  chunks.forEach((c, i) => write(i > 0 ? `\n${' '.repeat(indent)}${c}` : c))
  if (level === 1) write(')')
}

export const dataFilters: CallableTable = {
  to_json: define(['a', '**kw'], (ctx, a, kw) => dumpJson(a, jsonOptions(kw as Mapping), charger(ctx))),
  to_nice_json: define(['a', 'indent', 'sort_keys', '**kw'], (ctx, a, indent = 4, sortKeys = true, kw) => {
    duplicate(kw as Mapping, ['separators'], 'dumps')
    return dumpJson(a, jsonOptions({ ...(kw as Mapping), indent, sort_keys: sortKeys, separators: [',', ': '] }), charger(ctx))
  }),
  tojson: define(['value', 'indent'], (ctx, value, indent = null) =>
    dumpJson(value, { ...jsonOptions({ indent, sort_keys: true }), htmlSafe: true }, charger(ctx))),
  from_json: define(['s'], (ctx, s) => {
    if (typeof s !== 'string') throw new TemplateError(`the JSON object must be str, bytes or bytearray, not ${typeName(s)}`)
    return loadJson(s, charger(ctx))
  }),
  to_yaml: define(['a', '**kw'], (ctx, a, kw) => dumpYaml(a, yamlOptions(kw as Mapping, {}), charger(ctx))),
  to_nice_yaml: define(['a', 'indent', '**kw'], (ctx, a, indent = 4, kw) => {
    duplicate(kw as Mapping, ['default_flow_style'], 'dump_all')
    return dumpYaml(a, yamlOptions({ ...(kw as Mapping), indent }, { defaultFlowStyle: false }), charger(ctx))
  }),
  from_yaml: define(['data'], (ctx, data) => (typeof data === 'string' ? loadYaml(data, charger(ctx)) : data)),
  from_yaml_all: define(['data'], (ctx, data) => (typeof data === 'string' ? loadYamlAll(data, charger(ctx)) : data)),
  pprint: define(['value'], (ctx, value) => {
    ctx.charge(1)
    return pformat(value)
  }),
}
