/**
 * Python's `re` over RE2 (re2js): matching takes linear time whatever the pattern, so a template
 * cannot hang a run with `^(a+)+$`. Patterns are rewritten from Python's syntax by
 * filters/regex-syntax.ts (which refuses what RE2 cannot run); replacement strings (`\1`,
 * `\g<name>`, `\n`) are expanded here, never by JavaScript's `$` rules.
 *
 * Where RE2 cannot say what Python means, tend approximates, and says so:
 * - without MULTILINE, Python's `$` also matches just before a final newline. That is exact when
 *   the text has no other line break; otherwise `$` matches only at the very end of the text.
 * - `\b` and `\B` see ASCII word characters only (`\w` itself covers Unicode, as in Python).
 * - after an empty match, Python may backtrack into a non-empty match at the same place; tend
 *   takes the longest match there (see finditer).
 */
import { RE2JS, type Matcher } from 're2js'
import { TemplateError } from './errors.js'
import { DOTALL, DOLLAR, IGNORECASE, MULTILINE, translate } from './filters/regex-syntax.js'
import { tuple } from './values.js'

export { ASCII, DOTALL, IGNORECASE, MULTILINE, VERBOSE } from './filters/regex-syntax.js'

/**
 * A pattern translated for RE2. Its programs differ only in what a non-multiline `$` is (the very
 * end, or also before a final newline) and in leftmost-first vs leftmost-longest; each is
 * compiled the first time it is needed.
 */
export class Pattern {
  private readonly programs = new Map<string, RE2JS>()

  constructor(
    readonly source: string,
    readonly groups: number,
    readonly names: Readonly<Record<string, number>>,
    private readonly text: string,
    private readonly flags: number,
  ) {}

  /** `beforeNewline`: `$` also before a final newline (used when the text has no other newline). */
  program(beforeNewline: boolean, longest: boolean): RE2JS {
    const key = `${beforeNewline ? 1 : 0}${longest ? 1 : 0}`
    let program = this.programs.get(key)
    if (program === undefined) {
      program = compileVariant(this.text, this.flags, beforeNewline ? '(?m:$)' : '\\z', this.source, longest)
      this.programs.set(key, program)
    }
    return program
  }
}

const cache = new Map<string, Pattern>()
const CACHE_LIMIT = 256

function compileVariant(text: string, flags: number, dollar: string, source: string, longest = false): RE2JS {
  let prefix = ''
  if (flags & IGNORECASE) prefix += 'i'
  if (flags & MULTILINE) prefix += 'm'
  if (flags & DOTALL) prefix += 's'
  const body = text.replaceAll(DOLLAR, dollar)
  try {
    return RE2JS.compile(prefix ? `(?${prefix})${body}` : body, longest ? RE2JS.LONGEST_MATCH : 0)
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
  const pattern = new Pattern(source, t.groups, t.names, t.text, t.flags)
  pattern.program(false, false)
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

function programFor(p: Pattern, text: string, longest = false): RE2JS {
  const nl = text.indexOf('\n')
  return p.program(nl === -1 || nl === text.length - 1, longest)
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
 * be empty at the same place (Python 3.7's rule), so `x*` over `abxd` matches at 0, 1, 2 (`x`),
 * 3, 4. Where Python would then backtrack into a non-empty match at that same place, RE2 is asked
 * for the longest match there (the same one for the patterns that matter: `\W??`, `(a|)`);
 * when there is none, the search moves on one character.
 */
export function* finditer(p: Pattern, text: string, charge?: (n: number) => void): Generator<Match> {
  const m = programFor(p, text).matcher(text)
  let longest: Matcher | undefined
  let pos = 0
  let mustAdvance = false
  while (pos <= text.length) {
    if (!m.find(pos)) return
    let found: Matcher = m
    if (mustAdvance && m.start() === pos && m.end() === pos) {
      longest ??= programFor(p, text, true).matcher(text)
      if (longest.find(pos) && longest.start() === pos && longest.end() > pos) found = longest
      else {
        const nextPos = pos + (text.codePointAt(pos)! > 0xffff ? 2 : 1)
        if (nextPos > text.length || !m.find(nextPos)) return
      }
    }
    const match = toMatch(found, p)
    charge?.(match.end - pos + 1)
    yield match
    mustAdvance = match.start === match.end
    pos = match.end
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
