/**
 * Python's `re` over RE2 (re2js): matching takes linear time whatever the pattern, so a template
 * cannot hang a run with `^(a+)+$`. Python's syntax is translated where RE2 spells it otherwise
 * (`\Z`, `\d`/`\w`/`\s` over Unicode, `{,n}`, inline and verbose flags); what RE2 cannot do
 * (back-references, lookarounds, atomic groups, possessive quantifiers, conditionals) is refused
 * with an error naming the construct. Replacement strings (`\1`, `\g<name>`) are expanded here,
 * never by JavaScript's `$` rules.
 *
 * One approximation, chosen over a slower engine: without MULTILINE, Python's `$` also matches
 * just before a final newline. That is exact when the text has no other line break; when the text
 * has line breaks before its final one, `$` matches only at its very end.
 */
import { RE2JS, type Matcher } from 're2js'
import { TemplateError } from './errors.js'
import { tuple } from './values.js'

export const IGNORECASE = 2
export const MULTILINE = 8
export const DOTALL = 16
export const VERBOSE = 64
export const ASCII = 256

const SPACE_CLASS = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}'
const WORD_CLASS = '\\p{L}\\p{N}_'
const ASCII_SPACE_CLASS = ' \\t\\n\\r\\x0c\\x0b'

/** A pattern translated for RE2: two programs differing only in what a non-multiline `$` is. */
export interface Pattern {
  readonly source: string
  readonly groups: number
  readonly names: Readonly<Record<string, number>>
  /** `$` as the very end of the text. */
  readonly atEnd: RE2JS
  /** `$` as end of text or before a final newline; used when the text has no other newline. */
  readonly beforeNewline: RE2JS
}

const cache = new Map<string, Pattern>()
const CACHE_LIMIT = 256

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

/** Python pattern → RE2 pattern, with `$` written as `\x00DOLLAR` for the two variants. */
function translate(pattern: string, flags: number): { text: string; groups: number; names: Record<string, number>; flags: number } {
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
        out += scope().multiline ? '(?m:$)' : '\x00DOLLAR'
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

function compileVariant(text: string, flags: number, dollar: string, source: string): RE2JS {
  let prefix = ''
  if (flags & IGNORECASE) prefix += 'i'
  if (flags & MULTILINE) prefix += 'm'
  if (flags & DOTALL) prefix += 's'
  const body = text.replaceAll('\x00DOLLAR', dollar)
  try {
    return RE2JS.compile(prefix ? `(?${prefix})${body}` : body)
  } catch (e) {
    throw new TemplateError(`invalid regular expression ${JSON.stringify(source)}: ${(e as Error).message.replace(/^error parsing regexp: /, '')}`)
  }
}

/** Compiles (and caches) a Python pattern with Python's flag bits (re.I=2, re.M=8, re.S=16, re.X=64, re.A=256). */
export function compile(source: string, flags = 0): Pattern {
  const key = `${flags}\x00${source}`
  const hit = cache.get(key)
  if (hit) return hit
  const t = translate(source, flags)
  const pattern: Pattern = {
    source,
    groups: t.groups,
    names: t.names,
    atEnd: compileVariant(t.text, t.flags, '\\z', source),
    beforeNewline: compileVariant(t.text, t.flags, '(?m:$)', source),
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
  cache.set(key, pattern)
  return pattern
}

/** One match: group values (null when a group took no part), as Python's Match. */
export interface Match {
  readonly start: number
  readonly end: number
  /** Index 0 is the whole match. */
  readonly values: readonly (string | null)[]
  readonly names: Readonly<Record<string, number>>
}

function programFor(p: Pattern, text: string): RE2JS {
  const nl = text.indexOf('\n')
  return nl === -1 || nl === text.length - 1 ? p.beforeNewline : p.atEnd
}

function toMatch(m: Matcher, p: Pattern): Match {
  const values: (string | null)[] = []
  for (let g = 0; g <= p.groups; g++) values.push(m.group(g))
  return { start: m.start(), end: m.end(), values, names: p.names }
}

/** Python's Match.group(g): by index or name; null when the group did not take part. */
export function group(m: Match, g: number | string): string | null {
  const index = typeof g === 'number' ? g : /^\d+$/.test(g) ? Number(g) : m.names[g]
  if (index === undefined || index < 0 || index >= m.values.length || !(typeof g !== 'string' || /^\d+$/.test(g) || Object.hasOwn(m.names, g))) {
    throw new TemplateError('IndexError: no such group')
  }
  return m.values[index] ?? null
}

export function search(p: Pattern, text: string, pos = 0): Match | null {
  const m = programFor(p, text).matcher(text)
  return m.find(pos) ? toMatch(m, p) : null
}

export function match(p: Pattern, text: string): Match | null {
  const m = programFor(p, text).matcher(text)
  return m.lookingAt() ? toMatch(m, p) : null
}

export function fullmatch(p: Pattern, text: string): Match | null {
  const m = programFor(p, text).matcher(text)
  return m.matches() ? toMatch(m, p) : null
}

/**
 * Every non-overlapping match, as Python's finditer: after an empty match the next one may not
 * be empty at the same place (Python 3.7's rule), so `x*` over `abxd` matches at 0, 1, 2 (`x`), 3, 4.
 */
export function* finditer(p: Pattern, text: string, charge?: (n: number) => void): Generator<Match> {
  const m = programFor(p, text).matcher(text)
  let pos = 0
  let mustAdvance = false
  while (pos <= text.length) {
    if (!m.find(pos)) return
    let start = m.start()
    let end = m.end()
    if (mustAdvance && start === pos && end === pos) {
      // Retry one character on; RE2 cannot ask this position for a non-empty alternative.
      const nextPos = pos + (text.codePointAt(pos)! > 0xffff ? 2 : 1)
      if (nextPos > text.length || !m.find(nextPos)) return
      start = m.start()
      end = m.end()
    }
    charge?.(end - pos + 1)
    yield toMatch(m, p)
    mustAdvance = start === end
    pos = end
  }
}

/** Python's re.findall: whole matches, the one group, or tuples of all groups ('' when unmatched). */
export function findall(p: Pattern, text: string, charge?: (n: number) => void): unknown[] {
  const out: unknown[] = []
  for (const m of finditer(p, text, charge)) {
    if (p.groups === 0) out.push(m.values[0] ?? '')
    else if (p.groups === 1) out.push(m.values[1] ?? '')
    else out.push(tuple(m.values.slice(1).map((v) => v ?? '')))
  }
  return out
}

type Piece = string | number

/** Parses a Python replacement template (`\1`, `\g<name>`, `\n`) against a pattern's groups. */
export function parseReplacement(p: Pattern, replacement: string): Piece[] {
  const pieces: Piece[] = []
  let literalText = ''
  const push = (g: number): void => {
    if (g > p.groups) throw new TemplateError(`invalid group reference ${g} at position ${at}`)
    if (literalText) pieces.push(literalText)
    literalText = ''
    pieces.push(g)
  }
  let at = 0
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!
    if (c !== '\\') {
      literalText += c
      continue
    }
    at = i
    const n = replacement[i + 1]
    if (n === undefined) throw new TemplateError(`bad escape (end of pattern) at position ${i}`)
    if (n === 'g') {
      const m = /^<([^>]*)>/.exec(replacement.slice(i + 2))
      if (!m) throw new TemplateError(replacement[i + 2] === '<' ? `missing >, unterminated name at position ${i + 3}` : `missing < at position ${i + 2}`)
      const name = m[1]!
      if (name === '') throw new TemplateError(`missing group name at position ${i + 3}`)
      if (/^\d+$/.test(name)) push(Number(name))
      else if (Object.hasOwn(p.names, name)) push(p.names[name]!)
      else if (/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) throw new TemplateError(`unknown group name '${name}'`)
      else throw new TemplateError(`bad character in group name '${name}' at position ${i + 3}`)
      i += 2 + m[0].length - 1
      continue
    }
    if (n === '0') {
      const digits = /^0[0-7]{0,2}/.exec(replacement.slice(i + 1))![0]
      literalText += String.fromCharCode(Number.parseInt(digits, 8) & 0xff)
      i += digits.length
      continue
    }
    if (n >= '1' && n <= '9') {
      const three = /^[0-7]{3}/.exec(replacement.slice(i + 1))?.[0]
      if (three !== undefined) {
        const value = Number.parseInt(three, 8)
        if (value > 0o377) throw new TemplateError(`octal escape value \\${three} outside of range 0-0o377 at position ${i}`)
        literalText += String.fromCharCode(value)
        i += 3
        continue
      }
      const digits = /^\d{1,2}/.exec(replacement.slice(i + 1))![0]
      push(Number(digits))
      i += digits.length
      continue
    }
    const escapes: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' }
    if (Object.hasOwn(escapes, n)) literalText += escapes[n]
    else if (/[A-Za-z]/.test(n)) throw new TemplateError(`bad escape \\${n} at position ${i}`)
    else literalText += `\\${n}`
    i++
  }
  if (literalText) pieces.push(literalText)
  return pieces
}

/** Python's re.sub(pattern, replacement, text, count). */
export function sub(p: Pattern, replacement: string, text: string, count = 0, charge?: (n: number) => void): string {
  const pieces = parseReplacement(p, replacement)
  let out = ''
  let last = 0
  let n = 0
  for (const m of finditer(p, text, charge)) {
    out += text.slice(last, m.start)
    for (const piece of pieces) out += typeof piece === 'number' ? (m.values[piece] ?? '') : piece
    last = m.end
    n++
    if (count > 0 && n >= count) break
  }
  return out + text.slice(last)
}

const SPECIAL = new Set([...'()[]{}?*+-|^$\\.&~# \t\n\r\v\f'])

/** Python's re.escape: only the characters special in a pattern. */
export function escape(text: string): string {
  let out = ''
  for (const c of text) out += SPECIAL.has(c) ? `\\${c}` : c
  return out
}
