/**
 * Python's two string formatting languages over template values: `'%s: %5.2f' % (a, b)` (the
 * `format` filter and the `%` operator) and `'{}: {:>5.2f}'.format(a, b)` (str.format). A field
 * like `{0[key]}` reads only through ownMember; `{0.attr}` is refused as Python refuses it on
 * plain data, so no field ever reaches a prototype. Format specs are filters/format-spec.ts's,
 * float digits filters/float-text.ts's (exact, ties to even as CPython rounds them).
 */
import { TemplateError } from './errors.js'
import { floatBody, isNegative } from './filters/float-text.js'
import { asciiRepr, charOf, checkField, floatOf, formatValue, intDigits, intOf } from './filters/format-spec.js'
import { isMapping, isTuple, ownMember, repr, str, typeName, Undefined, defined } from './values.js'

export { formatValue } from './filters/format-spec.js'

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
  checkField(spec.width, 'src'.includes(spec.type) || spec.type === 'a' ? undefined : spec.precision, 'fFeEgG'.includes(spec.type))
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
