/**
 * Python's two string formatting languages over template values: `'%s: %5.2f' % (a, b)` (the
 * `format` filter and the `%` operator) and `'{}: {:>5.2f}'.format(a, b)` (str.format). A field
 * like `{0[key]}` reads only through ownMember; `{0.attr}` is refused as Python refuses it on
 * plain data, so no field ever reaches a prototype. Floats are formatted from their exact binary
 * value, so ties round half to even as CPython does (`'%.2f' % 0.125` is `0.12`).
 */
import { TemplateError } from './errors.js'
import { isMapping, isTuple, numberOf, ownMember, PyFloat, repr, str, typeName, Undefined, defined } from './values.js'

// ---- exact float digits ----

/** The exact value of a finite double: value = n / 10^scale. */
function exact(x: number): { n: bigint; scale: number } {
  if (x === 0) return { n: 0n, scale: 0 }
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, Math.abs(x))
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  let mantissa = bits & 0xfffffffffffffn
  let exponent = -1074
  if (biased !== 0) {
    mantissa |= 1n << 52n
    exponent = biased - 1075
  }
  if (exponent >= 0) return { n: mantissa << BigInt(exponent), scale: 0 }
  return { n: mantissa * 5n ** BigInt(-exponent), scale: -exponent }
}

/** n / 10^drop, rounded half to even. */
function roundDrop(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop)
  const unit = 10n ** BigInt(drop)
  const q = n / unit
  const twice = (n % unit) * 2n
  return twice > unit || (twice === unit && q % 2n === 1n) ? q + 1n : q
}

function fixedDigits(x: number, precision: number): string {
  const { n, scale } = exact(x)
  const q = roundDrop(n, scale - precision).toString()
  if (precision === 0) return q
  const padded = q.padStart(precision + 1, '0')
  return `${padded.slice(0, -precision)}.${padded.slice(-precision)}`
}

function exponentParts(x: number, precision: number): { mantissa: string; exponent: number } {
  const { n, scale } = exact(x)
  if (n === 0n) return { mantissa: precision > 0 ? `0.${'0'.repeat(precision)}` : '0', exponent: 0 }
  const digits = n.toString().length
  let exponent = digits - 1 - scale
  let q = roundDrop(n, digits - (precision + 1)).toString()
  if (q.length > precision + 1) {
    exponent += 1
    q = q.slice(0, precision + 1)
  }
  return { mantissa: precision > 0 ? `${q[0]}.${q.slice(1)}` : q, exponent }
}

const expSuffix = (e: number, upper: boolean): string => `${upper ? 'E' : 'e'}${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
const stripZeros = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s)

/** The digits of |x| (no sign) for one of Python's float presentation types. */
function floatBody(x: number, type: string, precision: number | undefined, alternate: boolean): string {
  const abs = Math.abs(x)
  const upper = type !== '' && type !== '%' && type === type.toUpperCase()
  if (!Number.isFinite(abs)) return (Number.isNaN(abs) ? 'nan' : 'inf')[upper ? 'toUpperCase' : 'toLowerCase']()
  switch (type) {
    case 'f':
    case 'F':
      return fixedDigits(abs, precision ?? 6) + (alternate && precision === 0 ? '.' : '')
    case 'e':
    case 'E': {
      const p = precision ?? 6
      const { mantissa, exponent } = exponentParts(abs, p)
      return `${mantissa}${alternate && p === 0 ? '.' : ''}${expSuffix(exponent, upper)}`
    }
    case '%':
      return `${fixedDigits(abs * 100, precision ?? 6)}${alternate && precision === 0 ? '.' : ''}%`
    case 'r':
      return reprDigits(abs)
    default:
      return generalDigits(abs, type, precision, alternate, upper)
  }
}

/** %g and str.format's no-type form (`pointAlways`: an integral float keeps its `.0`). */
function generalDigits(abs: number, type: string, precision: number | undefined, alternate: boolean, upper: boolean): string {
  const pointAlways = type === ''
  if (pointAlways && precision === undefined) {
    const digits = reprDigits(abs)
    if (!alternate || digits.includes('.')) return digits
    return digits.includes('e') ? digits.replace('e', '.e') : `${digits}.`
  }
  const p = precision === undefined ? 6 : precision === 0 ? 1 : precision
  const { mantissa, exponent } = exponentParts(abs, p - 1)
  // CPython's Py_DTSF_ADD_DOT_0: the no-type form switches to an exponent one digit earlier,
  // when no digit would be left for the `.0`.
  if (exponent < -4 || exponent >= (pointAlways ? p - 1 : p)) {
    const m = alternate ? (mantissa.includes('.') ? mantissa : `${mantissa}.`) : stripZeros(mantissa)
    return m + expSuffix(exponent, upper)
  }
  const fixed = fixedDigits(abs, p - 1 - exponent)
  if (alternate) return fixed.includes('.') ? fixed : `${fixed}.`
  const stripped = stripZeros(fixed)
  return pointAlways && !stripped.includes('.') ? `${stripped}.0` : stripped
}

/** Python's repr() digits of a non-negative float. */
function reprDigits(abs: number): string {
  if (abs >= 1e16 || (abs < 1e-4 && abs !== 0)) {
    const [mantissa = '', exponent = '0'] = abs.toExponential().split('e')
    return mantissa + expSuffix(Number(exponent), false)
  }
  const text = String(abs)
  return text.includes('.') ? text : `${text}.0`
}

const isNegative = (x: number): boolean => x < 0 || Object.is(x, -0)

// ---- shared helpers ----

/** An integer value (int or bool) as Python's int(); undefined for anything else. */
function intOf(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0
  if (typeof v === 'number' && Number.isInteger(v)) return v
  return undefined
}

/** A float value (int, float, bool) as Python's float(); undefined for anything else. */
function floatOf(v: unknown): number | undefined {
  return typeof v === 'string' ? undefined : numberOf(v)
}

function intDigits(n: number, radix: number): string {
  return Number.isSafeInteger(n) ? Math.abs(n).toString(radix) : BigInt(Math.abs(n)).toString(radix)
}

function charOf(v: unknown, what: string): string {
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
function asciiRepr(v: unknown): string {
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

// ---- printf-style: '%s' % args ----

interface PercentSpec {
  flags: string
  width: number | undefined
  precision: number | undefined
  type: string
}

/**
 * Python's `format % args`. A tuple gives positional arguments, a mapping serves `%(name)s`
 * (and is itself the single argument of a plain `%s`), anything else is one argument.
 */
export function percentFormat(format: string, args: unknown): string {
  defined(args)
  // CPython's model: a tuple is the argument list, anything else one argument; a mapping (or a
  // list, which Python also counts as one) serves %(name)s and is never "not all converted".
  const positional: readonly unknown[] = isTuple(args) ? (args as unknown[]) : [args]
  const mapping = (isMapping(args) || Array.isArray(args)) && !isTuple(args) ? args : undefined
  let index = 0
  let out = ''
  const next = (): unknown => {
    if (index >= positional.length) throw new TemplateError('not enough arguments for format string')
    return positional[index++]
  }
  let i = 0
  while (i < format.length) {
    const pct = format.indexOf('%', i)
    if (pct === -1) {
      out += format.slice(i)
      break
    }
    out += format.slice(i, pct)
    i = pct + 1
    let value: unknown
    let keyed = false
    if (format[i] === '(') {
      if (!isMapping(mapping)) throw new TemplateError('format requires a mapping')
      let depth = 1
      let j = i + 1
      while (j < format.length && depth > 0) {
        if (format[j] === '(') depth++
        else if (format[j] === ')') depth--
        j++
      }
      if (depth > 0) throw new TemplateError('incomplete format key')
      const key = format.slice(i + 1, j - 1)
      const found = ownMember(mapping, key)
      if (found === undefined) throw new TemplateError(`KeyError: ${repr(key)}`)
      value = found.value
      keyed = true
      i = j
    }
    const spec: PercentSpec = { flags: '', width: undefined, precision: undefined, type: '' }
    while (i < format.length && '#0- +'.includes(format[i]!)) spec.flags += format[i++]
    if (format[i] === '*') {
      spec.width = starArgument(next())
      i++
      if (spec.width < 0) {
        spec.flags += '-'
        spec.width = -spec.width
      }
    } else {
      const m = /^\d+/.exec(format.slice(i))
      if (m) {
        spec.width = Number(m[0])
        i += m[0].length
      }
    }
    if (format[i] === '.') {
      i++
      if (format[i] === '*') {
        spec.precision = Math.max(0, starArgument(next()))
        i++
      } else {
        const m = /^\d*/.exec(format.slice(i))![0]
        spec.precision = m === '' ? 0 : Number(m)
        i += m.length
      }
    }
    while (i < format.length && 'hlL'.includes(format[i]!)) i++
    if (i >= format.length) throw new TemplateError('incomplete format')
    spec.type = format[i++]!
    if (spec.type === '%') {
      out += '%'
      continue
    }
    if (!keyed) value = next()
    out += percentOne(spec, value, i - 1)
  }
  if (index < positional.length && mapping === undefined) throw new TemplateError('not all arguments converted during string formatting')
  return out
}

function starArgument(v: unknown): number {
  const n = intOf(v)
  if (n === undefined) throw new TemplateError('* wants int')
  return n
}

function percentOne(spec: PercentSpec, value: unknown, at: number): string {
  const left = spec.flags.includes('-')
  const zero = spec.flags.includes('0') && !left
  const sign = spec.flags.includes('+') ? '+' : spec.flags.includes(' ') ? ' ' : ''
  const alternate = spec.flags.includes('#')
  const pad = (body: string, prefix = '', numeric = false): string => {
    const width = spec.width ?? 0
    const length = [...prefix].length + [...body].length
    if (length >= width) return prefix + body
    if (left) return prefix + body + ' '.repeat(width - length)
    if (zero && numeric) return prefix + '0'.repeat(width - length) + body
    return ' '.repeat(width - length) + prefix + body
  }
  switch (spec.type) {
    case 's':
    case 'r':
    case 'a': {
      let text = spec.type === 's' ? str(value) : spec.type === 'r' ? repr(value) : asciiRepr(value)
      if (spec.precision !== undefined) text = [...text].slice(0, spec.precision).join('')
      return pad(text)
    }
    case 'c':
      return pad(charOf(value, '%c'))
    case 'd':
    case 'i':
    case 'u': {
      const x = floatOf(value)
      if (x === undefined) throw new TemplateError(`%${spec.type} format: a real number is required, not ${typeName(value)}`)
      const n = Math.trunc(x)
      if (!Number.isFinite(n)) throw new TemplateError(`cannot convert float ${x > 0 ? 'infinity' : 'NaN'} to integer`)
      let digits = intDigits(n, 10)
      if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0')
      return pad(digits, n < 0 ? '-' : sign, true)
    }
    case 'x':
    case 'X':
    case 'o': {
      const n = intOf(value)
      if (n === undefined) throw new TemplateError(`%${spec.type} format: an integer is required, not ${typeName(value)}`)
      let digits = intDigits(n, spec.type === 'o' ? 8 : 16)
      if (spec.type === 'X') digits = digits.toUpperCase()
      if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0')
      const base = alternate ? (spec.type === 'o' ? '0o' : spec.type === 'x' ? '0x' : '0X') : ''
      return pad(digits, (n < 0 ? '-' : sign) + base, true)
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      const x = floatOf(value)
      if (x === undefined) throw new TemplateError(`must be real number, not ${typeName(value)}`)
      return pad(floatBody(x, spec.type, spec.precision, alternate), isNegative(x) ? '-' : sign, true)
    }
    default: {
      const code = spec.type.codePointAt(0)!
      throw new TemplateError(`unsupported format character '${spec.type}' (0x${code.toString(16)}) at index ${at}`)
    }
  }
}

// ---- str.format ----

/** Python's `format.format(*positional, **named)`. */
export function strFormat(format: string, positional: readonly unknown[], named: Readonly<Record<string, unknown>>): string {
  const state = { auto: 0, mode: '' as '' | 'auto' | 'manual' }
  return formatString(format, positional, named, state, 2)
}

function formatString(
  format: string,
  positional: readonly unknown[],
  named: Readonly<Record<string, unknown>>,
  state: { auto: number; mode: '' | 'auto' | 'manual' },
  depth: number,
): string {
  if (depth < 0) throw new TemplateError('Max string recursion exceeded')
  let out = ''
  let i = 0
  while (i < format.length) {
    const ch = format[i]!
    if (ch === '}') {
      if (format[i + 1] === '}') {
        out += '}'
        i += 2
        continue
      }
      throw new TemplateError("Single '}' encountered in format string")
    }
    if (ch !== '{') {
      out += ch
      i++
      continue
    }
    if (format[i + 1] === '{') {
      out += '{'
      i += 2
      continue
    }
    // Find the matching '}', allowing one level of nested '{...}' in the spec.
    let j = i + 1
    let nest = 1
    let bracket = false
    while (j < format.length) {
      const c = format[j]!
      if (c === '[' && nest === 1) bracket = true
      else if (c === ']') bracket = false
      else if (c === '{' && !bracket) nest++
      else if (c === '}' && !bracket) {
        nest--
        if (nest === 0) break
      }
      j++
    }
    if (j >= format.length) throw new TemplateError("expected '}' before end of string")
    out += formatField(format.slice(i + 1, j), positional, named, state, depth)
    i = j + 1
  }
  return out
}

function formatField(
  field: string,
  positional: readonly unknown[],
  named: Readonly<Record<string, unknown>>,
  state: { auto: number; mode: '' | 'auto' | 'manual' },
  depth: number,
): string {
  // field_name ["!" conversion] [":" format_spec]; the name may hold [..] with ':' or '!' inside.
  let k = 0
  let inBracket = false
  while (k < field.length) {
    const c = field[k]!
    if (c === '[') inBracket = true
    else if (c === ']') inBracket = false
    else if (!inBracket && (c === '!' || c === ':')) break
    k++
  }
  const name = field.slice(0, k)
  let conversion = ''
  let spec = ''
  let rest = field.slice(k)
  if (rest.startsWith('!')) {
    conversion = rest[1] ?? ''
    rest = rest.slice(2)
    if (rest !== '' && !rest.startsWith(':')) throw new TemplateError("expected ':' after conversion specifier")
  }
  if (rest.startsWith(':')) spec = rest.slice(1)
  let value = lookupField(name, positional, named, state)
  if (conversion === 'r') value = repr(value)
  else if (conversion === 's') value = str(value)
  else if (conversion === 'a') value = asciiRepr(value)
  else if (conversion !== '') throw new TemplateError(`Unknown conversion specifier ${conversion}`)
  if (spec.includes('{')) spec = formatString(spec, positional, named, state, depth - 1)
  return formatValue(value, spec)
}

function lookupField(
  name: string,
  positional: readonly unknown[],
  named: Readonly<Record<string, unknown>>,
  state: { auto: number; mode: '' | 'auto' | 'manual' },
): unknown {
  const m = /^[^.[]*/.exec(name)![0]
  let value: unknown
  if (m === '' || /^\d+$/.test(m)) {
    let index: number
    if (m === '') {
      if (state.mode === 'manual') throw new TemplateError('cannot switch from manual field specification to automatic field numbering')
      state.mode = 'auto'
      index = state.auto++
    } else {
      if (state.mode === 'auto') throw new TemplateError('cannot switch from automatic field numbering to manual field specification')
      state.mode = 'manual'
      index = Number(m)
    }
    if (index >= positional.length) throw new TemplateError(`Replacement index ${index} out of range for positional args tuple`)
    value = positional[index]
  } else {
    const found = ownMember(named, m)
    if (found === undefined) throw new TemplateError(`KeyError: ${repr(m)}`)
    value = found.value
  }
  let rest = name.slice(m.length)
  while (rest !== '') {
    if (rest.startsWith('.')) {
      const attr = /^\.([^.[]*)/.exec(rest)![1]!
      if (attr === '') throw new TemplateError('Empty attribute in format string')
      defined(value)
      // Python's getattr: plain data has no attributes a format field may read.
      throw new TemplateError(`'${typeName(value)}' object has no attribute '${attr}'`)
    }
    if (rest.startsWith('[')) {
      const close = rest.indexOf(']')
      if (close === -1) throw new TemplateError("Missing ']' in format string")
      const key = rest.slice(1, close)
      if (key === '') throw new TemplateError('Empty attribute in format string')
      const found = ownMember(value, /^\d+$/.test(key) ? Number(key) : key)
      if (found === undefined) {
        defined(value)
        if (Array.isArray(value) || typeof value === 'string') throw new TemplateError(`IndexError: ${typeName(value)} index out of range`)
        throw new TemplateError(isMapping(value) ? `KeyError: ${repr(key)}` : `'${typeName(value)}' object is not subscriptable`)
      }
      value = found.value
      rest = rest.slice(close + 1)
      continue
    }
    throw new TemplateError('Only \'.\' or \'[\' may follow \']\' in format field specifier')
  }
  if (value instanceof Undefined) defined(value)
  return value
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
