/**
 * Python's format(value, spec) (the format mini-language str.format uses: fill, align, sign, `#`,
 * `0`, width, `,`/`_` grouping, precision, type) for template values, and the small conversions
 * both of Python's formatting languages share.
 */
import { TemplateError } from '../errors.js'
import { defined, numberOf, PyFloat, repr, str, typeName } from '../values.js'
import { floatBody, isNegative } from './float-text.js'

/** An integer value (int or bool) as Python's int(); undefined for anything else. */
/** The widest field and the longest float precision a template may ask for (the output budget is 16 MiB). */
export const MAX_WIDTH = 16 * 1024 * 1024
export const MAX_PRECISION = 100_000

/** Refuses a width or precision no template output could hold, before a string of that size is built. */
export function checkField(width: number | undefined, precision: number | undefined, floatType: boolean): void {
  if ((width ?? 0) > MAX_WIDTH || (precision ?? 0) > (floatType ? MAX_PRECISION : MAX_WIDTH)) {
    throw new TemplateError('a format width or precision larger than a template may build', { budget: true })
  }
}

export function intOf(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'number' && Number.isInteger(v)) return v
  return undefined
}

/** A float value (int, float, bool) as Python's float(); undefined for anything else. */
export function floatOf(v: unknown): number | undefined {
  return typeof v === 'string' ? undefined : numberOf(v)
}

export function intDigits(n: number, radix: number): string {
  return Number.isSafeInteger(n) ? Math.abs(n).toString(radix) : BigInt(Math.abs(n)).toString(radix)
}

export function charOf(v: unknown, what: string): string {
  if (typeof v === 'string') {
    if ([...v].length === 1) return v
    throw new TemplateError(`${what} requires int or char`)
  }
  const n = intOf(v)
  if (n === undefined) throw new TemplateError(`${what} requires int or char`)
  if (n < 0 || n > 0x10ffff) throw new TemplateError(`${what} arg not in range(0x110000)`)
  return String.fromCodePoint(n)
}

/** Python's ascii(): repr with non-ASCII characters escaped. */
export function asciiRepr(v: unknown): string {
  let out = ''
  for (const ch of repr(v)) {
    const code = ch.codePointAt(0)!
    if (code < 0x80) out += ch
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += `\\U${code.toString(16).padStart(8, '0')}`
  }
  return out
}

interface FormatSpec {
  fill: string
  align: string
  sign: string
  z: boolean
  alternate: boolean
  zero: boolean
  width: number
  grouping: string
  precision: number | undefined
  type: string
}

function parseSpec(spec: string): FormatSpec {
  const m = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([a-zA-Z%])?$/su.exec(spec)
  if (!m) throw new TemplateError('Invalid format specifier')
  const [, fill, align, sign, z, alternate, zero, width, grouping, precision, type] = m
  checkField(width === undefined ? undefined : Number(width), precision === undefined ? undefined : Number(precision), true)
  return {
    fill: fill ?? (zero ? '0' : ' '),
    align: align ?? '',
    sign: sign ?? '-',
    z: z !== undefined,
    alternate: alternate !== undefined,
    zero: zero !== undefined,
    width: width === undefined ? 0 : Number(width),
    grouping: grouping ?? '',
    precision: precision === undefined ? undefined : Number(precision),
    type: type ?? '',
  }
}

/** Python's format(value, spec) for template values. */
export function formatValue(value: unknown, spec: string): string {
  if (spec === '') return str(value)
  const s = parseSpec(spec)
  if (typeof value === 'string') {
    if (s.type !== '' && s.type !== 's') throw new TemplateError(`Unknown format code '${s.type}' for object of type 'str'`)
    if (s.sign !== '-' || s.align === '=' || s.alternate) throw new TemplateError('Sign not allowed in string format specifier')
    const text = s.precision === undefined ? value : [...value].slice(0, s.precision).join('')
    return align(text, '', s, '<')
  }
  if (typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value))) {
    const n = intOf(value)!
    if ('eEfFgG%'.includes(s.type) && s.type !== '') return formatFloat(n, s)
    return formatInt(n, s)
  }
  if (typeof value === 'number' || value instanceof PyFloat) return formatFloat(numberOf(value)!, s)
  defined(value)
  throw new TemplateError(`unsupported format string passed to ${typeName(value)}.__format__`)
}

function checkGrouping(s: FormatSpec, type: string): void {
  if (s.grouping === '') return
  if (type === 'n' || (s.grouping === ',' && 'bxXo'.includes(type) && type !== '')) throw new TemplateError(`Cannot specify '${s.grouping}' with '${type}'.`)
}

function formatInt(n: number, s: FormatSpec): string {
  if (s.precision !== undefined) throw new TemplateError('Precision not allowed in integer format specifier')
  checkGrouping(s, s.type)
  let digits: string
  let prefix = ''
  switch (s.type) {
    case '':
    case 'd':
    case 'n':
      digits = intDigits(n, 10)
      break
    case 'b':
      digits = intDigits(n, 2)
      prefix = s.alternate ? '0b' : ''
      break
    case 'o':
      digits = intDigits(n, 8)
      prefix = s.alternate ? '0o' : ''
      break
    case 'x':
    case 'X':
      digits = intDigits(n, 16)
      if (s.type === 'X') digits = digits.toUpperCase()
      prefix = s.alternate ? (s.type === 'x' ? '0x' : '0X') : ''
      break
    case 'c':
      if (s.sign !== '-') throw new TemplateError("Sign not allowed with integer format specifier 'c'")
      return align(charOf(n, '%c'), '', s, '>')
    default:
      throw new TemplateError(`Unknown format code '${s.type}' for object of type 'int'`)
  }
  const sign = n < 0 ? '-' : s.sign === '-' ? '' : s.sign
  const size = s.type === '' || s.type === 'd' || s.type === 'n' ? 3 : 4
  return alignNumber(digits, '', sign + prefix, s, size)
}

function formatFloat(x: number, s: FormatSpec): string {
  if (!'eEfFgGn%'.includes(s.type) && s.type !== '') throw new TemplateError(`Unknown format code '${s.type}' for object of type 'float'`)
  checkGrouping(s, s.type)
  const type = s.type === 'n' ? 'g' : s.type
  let body = floatBody(x, type, s.precision, s.alternate)
  let negative = isNegative(x) && !Number.isNaN(x)
  if (s.z && negative && /^[0.]*(?:e[+-]\d+)?%?$/i.test(body)) negative = false
  const sign = negative ? '-' : s.sign === '-' ? '' : s.sign
  // Digits before the point are grouped; the rest (fraction, exponent, %) follows unchanged.
  const m = /^(\d*)(.*)$/s.exec(body)!
  body = m[1]!
  return alignNumber(body, m[2]!, sign, s, 3)
}

function group(digits: string, separator: string, size: number): string {
  if (separator === '') return digits
  let out = ''
  for (let i = digits.length; i > 0; i -= size) out = digits.slice(Math.max(0, i - size), i) + (out === '' ? '' : separator + out)
  return out
}

/** Sign, prefix, grouped digits and suffix, padded as Python pads numbers (zero padding is grouped too). */
function alignNumber(digits: string, suffix: string, prefix: string, s: FormatSpec, size: number): string {
  if ((s.align || (s.zero ? '=' : '')) === '=' && s.fill === '0' && s.grouping !== '' && /^[0-9a-fA-F]+$/.test(digits)) {
    const target = s.width - prefix.length - suffix.length
    let padded = digits
    let grouped = group(padded, s.grouping, size)
    while (grouped.length < target) {
      padded = `0${padded}`
      grouped = group(padded, s.grouping, size)
    }
    return prefix + grouped + suffix
  }
  return align(group(digits, s.grouping, size) + suffix, prefix, s, s.zero ? '=' : '>')
}

function align(body: string, prefix: string, s: FormatSpec, defaultAlign: string): string {
  const length = [...body].length + [...prefix].length
  const padding = Math.max(0, s.width - length)
  const fill = (n: number): string => s.fill.repeat(n)
  switch (s.align || defaultAlign) {
    case '<':
      return prefix + body + fill(padding)
    case '^':
      return fill(Math.floor(padding / 2)) + prefix + body + fill(padding - Math.floor(padding / 2))
    case '=':
      return prefix + fill(padding) + body
    default:
      return fill(padding) + prefix + body
  }
}
