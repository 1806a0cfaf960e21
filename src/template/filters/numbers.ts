/**
 * Number filters: Jinja's int/float (with Python's int()/float() parsing: `' 1_000 '`, `'0x1A'`
 * with base 16, `'3.7'|int` is 3), abs, round (half to even, a float unless an int is rounded
 * at precision 0), filesizeformat; Ansible's bool, log/pow/root, human_readable/human_to_bytes.
 */
import { define, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { percentFormat } from '../pyformat.js'
import { defined, float, isFloat, numberOf, PyFloat, str, tuple, typeName } from '../values.js'
import { strip } from './pystring.js'
import { needInt, toText } from './util.js'

/** Python's float(str): decimal with optional underscores between digits, inf/infinity/nan. */
export function parsePyFloat(text: string): number | undefined {
  const s = strip(text, null).toLowerCase()
  const m = /^([-+]?)(?:(inf|infinity|nan)|((?:\d(?:_?\d)*)?(?:\.(?:\d(?:_?\d)*)?)?)(?:e([-+]?\d(?:_?\d)*))?)$/.exec(s)
  if (!m) return undefined
  if (m[2] !== undefined) return m[2] === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity
  const body = m[3]!.replaceAll('_', '')
  if (body === '' || body === '.') return undefined
  return Number(`${m[1]}${body}${m[4] !== undefined ? `e${m[4].replaceAll('_', '')}` : ''}`)
}

/** Python's int(str, base). */
export function parsePyInt(text: string, base: number): number | undefined {
  let s = strip(text, null).toLowerCase()
  let sign = 1
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1
    s = s.slice(1)
  }
  let b = base
  const prefix = /^0([xob])/.exec(s)
  if (prefix) {
    const pb = prefix[1] === 'x' ? 16 : prefix[1] === 'o' ? 8 : 2
    if (b === 0 || b === pb) {
      b = pb
      s = s.slice(2)
      if (s.startsWith('_')) s = s.slice(1)
    }
  }
  if (b === 0) {
    if (/^0+(?:_?0)*$/.test(s)) return 0
    if (s.startsWith('0')) return undefined
    b = 10
  }
  if (b < 2 || b > 36) throw new TemplateError('int() base must be >= 2 and <= 36, or 0')
  if (!/^[0-9a-z](?:_?[0-9a-z])*$/.test(s)) return undefined
  const digits = s.replaceAll('_', '')
  let n = 0n
  for (const d of digits) {
    const v = Number.parseInt(d, 36)
    if (v >= b) return undefined
    n = n * BigInt(b) + BigInt(v)
  }
  return sign * Number(n)
}

function toInt(value: unknown, fallback: unknown, base: unknown): unknown {
  const b = needInt(base, 'base')
  let n: number | undefined
  if (typeof value === 'string') {
    n = parsePyInt(value, b)
    if (n === undefined) {
      const f = parsePyFloat(value)
      if (f === undefined || Number.isNaN(f)) return fallback
      if (!Number.isFinite(f)) throw new TemplateError('cannot convert float infinity to integer')
      n = Math.trunc(f)
    }
    return n
  }
  const num = typeof value === 'boolean' ? Number(value) : numberOf(value)
  if (num === undefined) return fallback
  if (Number.isNaN(num)) return fallback
  if (!Number.isFinite(num)) throw new TemplateError('cannot convert float infinity to integer')
  return Math.trunc(num)
}

function toFloat(value: unknown, fallback: unknown): unknown {
  if (typeof value === 'string') {
    const f = parsePyFloat(value)
    return f === undefined ? fallback : float(f)
  }
  const n = numberOf(value)
  return n === undefined ? fallback : float(n)
}

/** Ansible's to_bool: yes/on/1/true (any case) and the number 1 are True. */
export function toBool(a: unknown): unknown {
  if (a === null || typeof a === 'boolean') return a
  if (typeof a === 'string') return ['yes', 'on', '1', 'true'].includes(a.toLowerCase())
  const n = numberOf(a)
  return n === 1
}

/** Python's round(x, n) for a float: correctly rounded, ties to even. */
export function roundFloat(x: number, ndigits: number): number {
  if (!Number.isFinite(x)) return x
  if (ndigits >= 0) return Number(percentFormat(`%.${Math.min(ndigits, 340)}f`, tuple([x])))
  const scale = 10 ** -ndigits
  return Number(percentFormat('%.0f', tuple([x / scale]))) * scale
}

function roundFilter(value: unknown, precision: unknown, method: unknown): unknown {
  if (method !== 'common' && method !== 'ceil' && method !== 'floor') throw new TemplateError('method must be common, ceil or floor')
  const p = needInt(precision, 'precision')
  const x = typeof value === 'string' ? undefined : numberOf(value)
  if (x === undefined) {
    defined(value)
    throw new TemplateError(method === 'common' ? `type ${typeName(value)} doesn't define __round__ method` : `must be real number, not ${typeName(value)}`)
  }
  if (method === 'common') {
    if (!isFloat(value)) {
      if (p >= 0) return typeof value === 'boolean' ? Number(value) : x
      const scale = 10 ** -p
      const q = x / scale
      const r = Math.floor(q)
      const rounded = q - r > 0.5 || (q - r === 0.5 && r % 2 !== 0) ? r + 1 : r
      return rounded * scale
    }
    return float(roundFloat(x, p))
  }
  const scale = 10 ** p
  return float((method === 'ceil' ? Math.ceil(x * scale) : Math.floor(x * scale)) / scale)
}

const SIZE_RANGES: readonly (readonly [string, number])[] = [
  ['Y', 2 ** 80], ['Z', 2 ** 70], ['E', 2 ** 60], ['P', 2 ** 50], ['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10], ['B', 1],
]

function humanReadable(size: unknown, isbits: unknown, unit: unknown): string {
  const n = typeof size === 'string' ? undefined : numberOf(size)
  if (n === undefined) throw new TemplateError(`human_readable() failed on bad input: '>=' not supported between instances of '${typeName(size)}' and 'int'`)
  const base = isbits ? 'bits' : 'Bytes'
  let suffix = ''
  let limit = 1
  for ([suffix, limit] of SIZE_RANGES) {
    if ((unit === null && n >= limit) || (unit !== null && toText(unit).toUpperCase() === suffix[0])) break
  }
  suffix = limit !== 1 ? suffix + base[0] : base
  return percentFormat('%.2f %s', tuple([n / limit, suffix]))
}

function humanToBytes(size: unknown, defaultUnit: unknown, isbits: unknown): number {
  const text = str(size)
  const fail = (): never => {
    throw new TemplateError(`human_to_bytes() can't interpret following string: ${text}`)
  }
  const m = /^\s*(\d*\.?\d*)\s*([A-Za-z]+)?/.exec(text)
  if (!m) return fail()
  const num = parsePyFloat(m[1]!)
  if (num === undefined) return fail()
  const unit = m[2] ?? (defaultUnit === null ? undefined : toText(defaultUnit))
  if (unit === undefined) return Math.round(num) === num + 0.5 && Math.round(num) % 2 !== 0 ? Math.round(num) - 1 : Math.round(num)
  const rangeKey = unit[0]!.toUpperCase()
  const range = SIZE_RANGES.find(([k]) => k === rangeKey)
  if (!range) return fail()
  const unitClass = isbits ? 'b' : 'B'
  const unitName = isbits ? 'bit' : 'byte'
  if (unit.length > 1 && !unit.toLowerCase().includes(unitName) && unit[1] !== unitClass) fail()
  const bytes = num * range[1]
  const r = Math.round(bytes)
  return r - bytes === 0.5 && r % 2 !== 0 ? r - 1 : r
}

function filesizeformat(value: unknown, binary: unknown): string {
  const bytes = typeof value === 'string' ? parsePyFloat(value) : numberOf(value)
  if (bytes === undefined) throw new TemplateError(`could not convert string to float: ${str(value, true)}`)
  const base = binary ? 1024 : 1000
  const prefixes = binary ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB']
  if (bytes === 1) return '1 Byte'
  if (bytes < base) return `${Math.trunc(bytes)} Bytes`
  let unit = 0
  let prefix = ''
  for (let i = 0; i < prefixes.length; i++) {
    unit = base ** (i + 2)
    prefix = prefixes[i]!
    if (bytes < unit) break
  }
  return `${percentFormat('%.1f', tuple([(base * bytes) / unit]))} ${prefix}`
}

function realNumber(v: unknown, what: string): number {
  const n = typeof v === 'string' ? undefined : numberOf(v)
  if (n === undefined) throw new TemplateError(`${what}() can only be used on numbers: must be real number, not ${typeName(v)}`)
  return n
}

function mathResult(n: number): number | PyFloat {
  if (Number.isNaN(n)) throw new TemplateError('math domain error')
  return float(n)
}

export const numberFilters: CallableTable = {
  int: define(['value', 'default', 'base'], (_c, v, d = 0, b = 10) => toInt(v, d, b)),
  float: define(['value', 'default'], (_c, v, d = float(0)) => toFloat(v, d)),
  bool: define(['a'], (_c, a) => toBool(a)),
  abs: define(['x'], (_c, x) => {
    const n = typeof x === 'string' ? undefined : numberOf(x)
    if (n === undefined) throw new TemplateError(`bad operand type for abs(): '${typeName(x)}'`)
    return isFloat(x) ? float(Math.abs(n)) : Math.abs(n)
  }),
  round: define(['value', 'precision', 'method'], (_c, v, p = 0, m = 'common') => roundFilter(v, p, m)),
  filesizeformat: define(['value', 'binary'], (_c, v, b = false) => filesizeformat(v, b)),
  human_readable: define(['size', 'isbits', 'unit'], (_c, s, b = false, u = null) => humanReadable(s, b, u)),
  human_to_bytes: define(['size', 'default_unit', 'isbits'], (_c, s, u = null, b = false) => humanToBytes(s, u, b)),
  log: define(['x', 'base'], (_c, x, base = Math.E) => {
    const n = realNumber(x, 'log')
    const b = realNumber(base, 'log')
    if (n <= 0 || b <= 0 || b === 1) throw new TemplateError('math domain error')
    return mathResult(b === 10 ? Math.log10(n) : Math.log(n) / Math.log(b))
  }),
  pow: define(['x', 'y'], (_c, x, y) => mathResult(realNumber(x, 'pow') ** realNumber(y, 'pow'))),
  root: define(['x', 'base'], (_c, x, base = 2) => {
    const n = realNumber(x, 'root')
    const b = realNumber(base, 'root')
    if (n < 0) throw new TemplateError('root() can only be used on numbers: math domain error')
    return mathResult(b === 2 ? Math.sqrt(n) : n ** (1 / b))
  }),
}
