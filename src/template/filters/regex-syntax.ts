/**
 * Python `re` syntax rewritten for RE2 (re2js): `\\Z` is `\\z`, `\\d`/`\\w`/`\\s` cover Unicode as
 * Python's do, `{,n}` is `{0,n}`, inline and scoped flags and verbose mode are applied, and a
 * non-multiline `$` is left as a placeholder (regex.ts compiles it two ways). What RE2 cannot
 * run is refused with an error naming it: back-references, lookarounds, atomic groups,
 * possessive quantifiers, conditionals.
 */
import { TemplateError } from '../errors.js'

export const IGNORECASE = 2
export const MULTILINE = 8
export const DOTALL = 16
export const VERBOSE = 64
export const ASCII = 256

const SPACE_CLASS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}'
const WORD_CLASS = '\\p{L}\\p{N}_'
const ASCII_SPACE_CLASS = ' \\t\\n\\r\\x0c\\x0b'

/** Where translate() leaves a non-multiline `$`. */
export const DOLLAR = '\x00DOLLAR'

function refuse(what: string, pattern: string, at: number): never {
  throw new TemplateError(`regular expression ${JSON.stringify(pattern)} uses ${what} at position ${at}, which tend's linear-time regex engine (RE2) does not support`)
}

function bad(message: string, at: number): never {
  throw new TemplateError(`${message} at position ${at}`)
}

/** A literal character as RE2 syntax. */
function literal(c: string): string {
  if (/[\\^$.|?*+()[\]{}]/.test(c)) return `\\${c}`
  if (/[!-/:-@`~]/.test(c)) return c
  const code = c.codePointAt(0)!
  return code < 0x20 || code === 0x7f ? `\\x{${code.toString(16)}}` : c
}

interface Scope {
  verbose: boolean
  ascii: boolean
  multiline: boolean
}

/** Python pattern → RE2 pattern, with a non-multiline `$` written as DOLLAR. */
export function translate(pattern: string, flags: number): { text: string; groups: number; names: Record<string, number>; flags: number } {
  // Global inline flags: Python 3.11 only accepts them at the very start.
  let i = 0
  const flagAt = /^\(\?([aiLmsux]+)\)/
  for (;;) {
    const m = flagAt.exec(pattern.slice(i))
    if (!m) break
    for (const f of m[1]!) flags |= flagBit(f, i)
    i += m[0].length
  }
  const scopes: Scope[] = [{ verbose: (flags & VERBOSE) !== 0, ascii: (flags & ASCII) !== 0, multiline: (flags & MULTILINE) !== 0 }]
  const scope = (): Scope => scopes[scopes.length - 1]!
  let out = ''
  let groups = 0
  const names: Record<string, number> = Object.create(null) as Record<string, number>
  let lastWasQuantifier = false
  while (i < pattern.length) {
    const c = pattern[i]!
    const quantifier: boolean = lastWasQuantifier
    lastWasQuantifier = false
    if (scope().verbose && /\s/.test(c)) {
      i++
      lastWasQuantifier = quantifier
      continue
    }
    if (scope().verbose && c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++
      lastWasQuantifier = quantifier
      continue
    }
    switch (c) {
      case '\\': {
        const [text, length] = escape_(pattern, i, scope(), false)
        out += text
        i += length
        continue
      }
      case '[': {
        const [text, length] = charClass(pattern, i, scope())
        out += text
        i += length
        continue
      }
      case '(': {
        const [text, length, opened] = groupStart(pattern, i, scopes, groups, names)
        out += text
        i += length
        if (opened === 'capture') groups++
        continue
      }
      case ')':
        if (scopes.length > 1) scopes.pop()
        out += ')'
        lastWasQuantifier = false
        i++
        continue
      case '{': {
        const m = /^\{(\d*)(,?)(\d*)\}/.exec(pattern.slice(i))
        if (!m || (m[1] === '' && m[2] === '')) {
          out += '\\{'
          i++
          continue
        }
        const lo = m[1] === '' ? 0 : Number(m[1])
        const hi = m[3] === '' ? undefined : Number(m[3])
        if (hi !== undefined && hi < lo) bad('min repeat greater than max repeat', i)
        if (lo > 1000 || (hi ?? 0) > 1000) refuse('a repetition count above 1000', pattern, i)
        out += m[2] === '' ? `{${lo}}` : hi === undefined ? `{${lo},}` : `{${lo},${hi}}`
        i += m[0].length
        lastWasQuantifier = true
        break
      }
      case '}':
        out += '\\}'
        i++
        continue
      case '*':
      case '+':
      case '?':
        if (quantifier && c === '+') refuse('a possessive quantifier', pattern, i)
        if (quantifier && c === '?') {
          out += '?'
          i++
          continue
        }
        out += c
        i++
        lastWasQuantifier = true
        break
      case '$':
        out += scope().multiline ? '(?m:$)' : DOLLAR
        i++
        continue
      default:
        out += c
        i++
        continue
    }
    // After a quantifier: a lazy '?' is fine, a possessive '+' is refused (handled above).
  }
  return { text: out, groups, names, flags }
}

function flagBit(f: string, at: number): number {
  switch (f) {
    case 'i':
      return IGNORECASE
    case 'm':
      return MULTILINE
    case 's':
      return DOTALL
    case 'x':
      return VERBOSE
    case 'a':
      return ASCII
    case 'u':
      return 0
    default:
      return bad('bad inline flags: cannot use \'L\' flag with a str pattern', at)
  }
}

/** `(` and its extensions: returns the RE2 text, the characters consumed and what it opened. */
function groupStart(pattern: string, i: number, scopes: Scope[], groups: number, names: Record<string, number>): [string, number, string] {
  const rest = pattern.slice(i)
  const scope = scopes[scopes.length - 1]!
  if (!rest.startsWith('(?')) {
    scopes.push({ ...scope })
    return ['(', 1, 'capture']
  }
  const named = /^\(\?P<([^>]*)>/.exec(rest)
  if (named) {
    const name = named[1]!
    if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) bad(`bad character in group name '${name}'`, i + 4)
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) refuse(`the non-ASCII group name '${name}'`, pattern, i)
    if (name in names) bad(`redefinition of group name '${name}' as group ${groups + 1}; was group ${names[name]}`, i + 4)
    names[name] = groups + 1
    scopes.push({ ...scope })
    return [`(?P<${name}>`, named[0].length, 'capture']
  }
  if (rest.startsWith('(?P=')) refuse('a named back-reference (?P=name)', pattern, i)
  if (rest.startsWith('(?#')) {
    const end = pattern.indexOf(')', i)
    if (end === -1) bad('missing ), unterminated comment', i)
    return ['', end - i + 1, 'comment']
  }
  if (rest.startsWith('(?=') || rest.startsWith('(?!')) refuse('a lookahead assertion', pattern, i)
  if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) refuse('a lookbehind assertion', pattern, i)
  if (rest.startsWith('(?>')) refuse('an atomic group', pattern, i)
  if (rest.startsWith('(?(')) refuse('a conditional group', pattern, i)
  if (rest.startsWith('(?:')) {
    scopes.push({ ...scope })
    return ['(?:', 3, 'group']
  }
  const scoped = /^\(\?([aimsux]*)(?:-([imsx]+))?:/.exec(rest)
  if (scoped) {
    const next: Scope = { ...scope }
    let on = ''
    let off = ''
    for (const f of scoped[1]!) {
      if (f === 'x') next.verbose = true
      else if (f === 'a') next.ascii = true
      else if (f === 'm') {
        next.multiline = true
        on += f
      } else if (f !== 'u') on += f
    }
    for (const f of scoped[2] ?? '') {
      if (f === 'x') next.verbose = false
      else if (f === 'm') {
        next.multiline = false
        off += f
      } else off += f
    }
    scopes.push(next)
    const spec = on + (off ? `-${off}` : '')
    return [spec ? `(?${spec}:` : '(?:', scoped[0].length, 'group']
  }
  if (/^\(\?[aiLmsux]+\)/.test(rest)) bad('global flags not at the start of the expression', i)
  if (rest.startsWith('(?<')) bad(`unknown extension ?<${rest[3] ?? ''}`, i + 1)
  return bad(`unknown extension ?${rest[2] ?? ''}`, i + 1)
}

/** A backslash escape outside (`inClass` false) or inside a character class. */
function escape_(pattern: string, i: number, scope: Scope, inClass: boolean): [string, number] {
  const c = pattern[i + 1]
  if (c === undefined) bad('bad escape (end of pattern)', i)
  const classBody = (body: string, negated: boolean): string => (inClass ? (negated ? '' : body) : negated ? `[^${body}]` : `[${body}]`)
  switch (c) {
    case 'd':
      return [scope.ascii ? '\\d' : '\\p{Nd}', 2]
    case 'D':
      return [scope.ascii ? '\\D' : '\\P{Nd}', 2]
    case 'w':
      return [scope.ascii ? '\\w' : classBody(WORD_CLASS, false), 2]
    case 'W':
      return [scope.ascii || inClass ? '\\W' : classBody(WORD_CLASS, true), 2]
    case 's':
      return [classBody(scope.ascii ? ASCII_SPACE_CLASS : SPACE_CLASS, false), 2]
    case 'S':
      return [scope.ascii || inClass ? '\\S' : classBody(SPACE_CLASS, true), 2]
    case 'b':
      return [inClass ? '\\x{8}' : '\\b', 2]
    case 'B':
      if (inClass) bad('bad escape \\B', i)
      return ['\\B', 2]
    case 'A':
      if (inClass) bad('bad escape \\A', i)
      return ['\\A', 2]
    case 'Z':
      if (inClass) bad('bad escape \\Z', i)
      return ['\\z', 2]
    case 'a':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
      return [`\\${c}`, 2]
    case 'x': {
      const m = /^[0-9a-fA-F]{2}/.exec(pattern.slice(i + 2))
      if (!m) bad('incomplete escape \\x', i)
      return [`\\x{${m[0]}}`, 4]
    }
    case 'u':
    case 'U': {
      const n = c === 'u' ? 4 : 8
      const hex = pattern.slice(i + 2, i + 2 + n)
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) bad(`incomplete escape \\${c}`, i)
      if (Number.parseInt(hex, 16) > 0x10ffff) bad(`bad escape \\${c}${hex}`, i)
      return [`\\x{${hex}}`, 2 + n]
    }
    case 'N':
      return refuse('a named character escape \\N{...}', pattern, i)
  }
  if (c >= '0' && c <= '9') {
    const octal = /^[0-7]{1,3}/.exec(pattern.slice(i + 1))?.[0] ?? ''
    if (c === '0' || octal.length === 3 || inClass) {
      const digits = c === '0' ? (/^0[0-7]{0,2}/.exec(pattern.slice(i + 1))?.[0] ?? '0') : octal
      if (digits === '') bad(`bad escape \\${c}`, i)
      const value = Number.parseInt(digits, 8)
      if (value > 0o377) bad(`octal escape value \\${digits} outside of range 0-0o377`, i)
      return [`\\x{${value.toString(16)}}`, 1 + digits.length]
    }
    return refuse(`a back-reference \\${/^\d{1,2}/.exec(pattern.slice(i + 1))![0]}`, pattern, i)
  }
  if (/[A-Za-z]/.test(c)) bad(`bad escape \\${c}`, i)
  const char = String.fromCodePoint(pattern.codePointAt(i + 1)!)
  return [literal(char), 1 + char.length]
}

/** A character class `[...]`, translated item by item. */
function charClass(pattern: string, start: number, scope: Scope): [string, number] {
  let i = start + 1
  let out = '['
  if (pattern[i] === '^') {
    out += '^'
    i++
  }
  let first = true
  for (;;) {
    if (i >= pattern.length) bad('unterminated character set', start)
    const c = pattern[i]!
    if (c === ']' && !first) break
    first = false
    if (c === '\\') {
      const [text, length] = escape_(pattern, i, scope, true)
      out += text
      i += length
      continue
    }
    const char = String.fromCodePoint(pattern.codePointAt(i)!)
    const code = char.codePointAt(0)!
    if ('[]^'.includes(char)) out += `\\${char}`
    else if (code < 0x20 || code === 0x7f) out += `\\x{${code.toString(16)}}`
    else out += char
    i += char.length
  }
  return [`${out}]`, i - start + 1]
}
