/**
 * Python's json module for template values: dumps with its separators, indent, sort_keys and
 * ensure_ascii (`\u00e9`), floats as repr (`1.0`, `1e+16`); loads with ints and floats told
 * apart (`1.0` stays a float) and every key an ordinary own key, `__proto__` included.
 */
import { TemplateError } from '../errors.js'
import { defined, float, floatRepr, isMapping, PyFloat, typeName, Undefined, type Mapping } from '../values.js'
import { codePointCompare, setKey } from './util.js'

export interface JsonDumpOptions {
  readonly indent?: string | undefined
  readonly sortKeys?: boolean
  readonly ensureAscii?: boolean
  readonly separators?: readonly [string, string]
  readonly allowNan?: boolean
  readonly skipKeys?: boolean
  /** Jinja's tojson: `<`, `>`, `&`, `'` as \u escapes. */
  readonly htmlSafe?: boolean
}

function quote(s: string, ensureAscii: boolean): string {
  let out = '"'
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    const code = s.charCodeAt(i)
    if (c === '"') out += '\\"'
    else if (c === '\\') out += '\\\\'
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\t') out += '\\t'
    else if (c === '\b') out += '\\b'
    else if (c === '\f') out += '\\f'
    else if (code < 0x20 || (ensureAscii && code > 0x7e)) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += c
  }
  return `${out}"`
}

function numberText(n: number, allowNan: boolean): string {
  if (!Number.isFinite(n)) {
    if (!allowNan) throw new TemplateError(`Out of range float values are not JSON compliant`)
    return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity'
  }
  return floatRepr(n)
}

/** Python's json.dumps(value, ...). */
export function dumpJson(value: unknown, options: JsonDumpOptions = {}, charge: (n: number) => void = () => {}): string {
  const indent = options.indent
  const [itemSep, keySep] = options.separators ?? (indent === undefined ? [', ', ': '] : [',', ': '])
  const ascii = options.ensureAscii ?? true
  const allowNan = options.allowNan ?? true
  const seen = new Set<object>()
  const walk = (v: unknown, level: number): string => {
    charge(1)
    if (v instanceof Undefined) defined(v)
    if (v === null) return 'null'
    if (v === true) return 'true'
    if (v === false) return 'false'
    if (typeof v === 'string') return quote(v, ascii)
    if (v instanceof PyFloat) return numberText(v.value, allowNan)
    if (typeof v === 'number') return Number.isInteger(v) ? (Number.isSafeInteger(v) ? String(v) : BigInt(v).toString()) : numberText(v, allowNan)
    if (Array.isArray(v) || isMapping(v)) {
      if (seen.has(v)) throw new TemplateError('Circular reference detected')
      seen.add(v)
      const newline = indent === undefined ? '' : `\n${indent.repeat(level + 1)}`
      const close = indent === undefined ? '' : `\n${indent.repeat(level)}`
      let body: string[]
      if (Array.isArray(v)) {
        if (v.length === 0) return seen.delete(v), '[]'
        body = v.map((x) => walk(x, level + 1))
      } else {
        const keys = Object.keys(v)
        if (keys.length === 0) return seen.delete(v), '{}'
        if (options.sortKeys) keys.sort(codePointCompare)
        body = keys.map((k) => quote(k, ascii) + keySep + walk(v[k], level + 1))
      }
      seen.delete(v)
      const [open, end] = Array.isArray(v) ? ['[', ']'] : ['{', '}']
      return open + newline + body.join(itemSep + newline) + close + end
    }
    throw new TemplateError(`Object of type ${typeName(v)} is not JSON serializable`)
  }
  let out = walk(value, 0)
  if (options.htmlSafe) out = out.replace(/[<>&']/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
  return out
}

/** Python's json.loads(text): errors say where, as Python's JSONDecodeError does. */
export function loadJson(text: string, charge: (n: number) => void = () => {}): unknown {
  let i = 0
  const fail = (message: string, at = i): never => {
    const before = text.slice(0, at)
    const line = before.split('\n').length
    const column = at - before.lastIndexOf('\n')
    throw new TemplateError(`${message}: line ${line} column ${column} (char ${at})`)
  }
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const value = (depth: number): unknown => {
    if (depth > 500) fail('maximum nesting depth exceeded')
    charge(1)
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      const out: Mapping = {}
      ws()
      if (text[i] === '}') {
        i++
        return out
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes')
        const key = string()
        ws()
        if (text[i] !== ':') fail("Expecting ':' delimiter")
        i++
        setKey(out, key, value(depth + 1))
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return out
        }
        fail("Expecting ',' delimiter")
      }
    }
    if (c === '[') {
      i++
      const out: unknown[] = []
      ws()
      if (text[i] === ']') {
        i++
        return out
      }
      for (;;) {
        out.push(value(depth + 1))
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return out
        }
        fail("Expecting ',' delimiter")
      }
    }
    if (c === '"') return string()
    for (const [word, v] of [['null', null], ['true', true], ['false', false], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length
        return typeof v === 'number' ? float(v) : v
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 400))
    if (m) {
      i += m[0].length
      const n = Number(m[0])
      return m[1] !== undefined || m[2] !== undefined ? float(n) : n
    }
    return fail('Expecting value')
  }
  const string = (): string => {
    const start = i
    i++
    let out = ''
    for (;;) {
      if (i >= text.length) fail('Unterminated string starting at', start)
      const c = text[i]!
      if (c === '"') {
        i++
        return out
      }
      if (c === '\\') {
        const e = text[i + 1]
        const simple: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
        if (e !== undefined && Object.hasOwn(simple, e)) {
          out += simple[e]
          i += 2
          continue
        }
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6)
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('Invalid \\uXXXX escape', i + 1)
          out += String.fromCharCode(Number.parseInt(hex, 16))
          i += 6
          continue
        }
        fail('Invalid \\escape', i)
      }
      if (c.charCodeAt(0) < 0x20) fail('Invalid control character at', i)
      out += c
      i++
    }
  }
  const result = value(0)
  ws()
  if (i < text.length) fail('Extra data')
  return result
}
