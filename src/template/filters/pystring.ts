/**
 * Python's str methods as plain functions (strip, split, splitlines, center, title, is*...), on
 * code points and with Python's own whitespace and line-break sets, which are not JavaScript's
 * (`\x1c`–`\x1f` and `\x85` are whitespace in Python, U+FEFF is not).
 */
import { TemplateError } from '../errors.js'

const SPACE = new Set([
  ...'\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000',
  ...Array.from({ length: 11 }, (_, i) => String.fromCharCode(0x2000 + i)),
])
const LINE_BREAKS = new Set([...'\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029'])

export const isSpaceChar = (c: string): boolean => SPACE.has(c)
export const chars = (s: string): string[] => Array.from(s)
const isCased = (c: string): boolean => c.toLowerCase() !== c.toUpperCase() || /\p{Lt}/u.test(c)
const isLowerChar = (c: string): boolean => /\p{Ll}/u.test(c) || (isCased(c) && c === c.toLowerCase() && c !== c.toUpperCase())
const isUpperChar = (c: string): boolean => /\p{Lu}/u.test(c) || (isCased(c) && c === c.toUpperCase() && c !== c.toLowerCase())

/** str.strip / lstrip / rstrip: whitespace, or any of `chars` when given. */
export function strip(s: string, set: string | null | undefined, where: 'both' | 'left' | 'right' = 'both'): string {
  const cs = chars(s)
  const drop = set === null || set === undefined ? isSpaceChar : (c: string): boolean => set.includes(c)
  let start = 0
  let end = cs.length
  if (where !== 'right') while (start < end && drop(cs[start]!)) start++
  if (where !== 'left') while (end > start && drop(cs[end - 1]!)) end--
  return cs.slice(start, end).join('')
}

/** str.split(sep=None, maxsplit=-1). */
export function split(s: string, sep: string | null | undefined, maxsplit = -1): string[] {
  if (sep === null || sep === undefined) return splitWhitespace(s, maxsplit)
  if (sep === '') throw new TemplateError('empty separator')
  const out: string[] = []
  let at = 0
  while (maxsplit < 0 || out.length < maxsplit) {
    const i = s.indexOf(sep, at)
    if (i === -1) break
    out.push(s.slice(at, i))
    at = i + sep.length
  }
  out.push(s.slice(at))
  return out
}

function splitWhitespace(s: string, maxsplit: number): string[] {
  const cs = chars(s)
  const out: string[] = []
  let i = 0
  while (i < cs.length) {
    while (i < cs.length && isSpaceChar(cs[i]!)) i++
    if (i >= cs.length) break
    if (maxsplit >= 0 && out.length >= maxsplit) {
      out.push(cs.slice(i).join(''))
      return out
    }
    let j = i
    while (j < cs.length && !isSpaceChar(cs[j]!)) j++
    out.push(cs.slice(i, j).join(''))
    i = j
  }
  return out
}

/** str.rsplit(sep=None, maxsplit=-1). */
export function rsplit(s: string, sep: string | null | undefined, maxsplit = -1): string[] {
  if (maxsplit < 0) return split(s, sep)
  if (sep === null || sep === undefined) {
    const cs = chars(s)
    const out: string[] = []
    let j = cs.length
    while (j > 0) {
      while (j > 0 && isSpaceChar(cs[j - 1]!)) j--
      if (j === 0) break
      if (out.length >= maxsplit) {
        out.unshift(cs.slice(0, j).join(''))
        return out
      }
      let i = j
      while (i > 0 && !isSpaceChar(cs[i - 1]!)) i--
      out.unshift(cs.slice(i, j).join(''))
      j = i
    }
    return out
  }
  if (sep === '') throw new TemplateError('empty separator')
  const out: string[] = []
  let end = s.length
  while (out.length < maxsplit) {
    const i = s.lastIndexOf(sep, end - sep.length)
    if (i === -1 || end - sep.length < 0) break
    out.unshift(s.slice(i + sep.length, end))
    end = i
  }
  out.unshift(s.slice(0, end))
  return out
}

/** str.splitlines(keepends=False) with Python's line boundaries. */
export function splitlines(s: string, keepends = false): string[] {
  const out: string[] = []
  let line = ''
  const cs = chars(s)
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!
    if (!LINE_BREAKS.has(c)) {
      line += c
      continue
    }
    let end = c
    if (c === '\r' && cs[i + 1] === '\n') {
      end = '\r\n'
      i++
    }
    out.push(keepends ? line + end : line)
    line = ''
  }
  if (line !== '') out.push(line)
  return out
}

/** str.center(width, fill): CPython puts the odd extra space on the left when the width is odd. */
export function center(s: string, width: number, fill = ' '): string {
  const n = chars(s).length
  if (width <= n) return s
  const marg = width - n
  const left = Math.floor(marg / 2) + (marg & width & 1)
  return fill.repeat(left) + s + fill.repeat(marg - left)
}

export function ljust(s: string, width: number, fill = ' '): string {
  return s + fill.repeat(Math.max(0, width - chars(s).length))
}

export function rjust(s: string, width: number, fill = ' '): string {
  return fill.repeat(Math.max(0, width - chars(s).length)) + s
}

export function zfill(s: string, width: number): string {
  const n = chars(s).length
  if (width <= n) return s
  const sign = s[0] === '+' || s[0] === '-' ? s[0] : ''
  return sign + '0'.repeat(width - n) + s.slice(sign.length)
}

/** str.capitalize: the first character upper (title) case, the rest lower. */
export function capitalize(s: string): string {
  const cs = chars(s)
  if (cs.length === 0) return ''
  return titleChar(cs[0]!) + cs.slice(1).join('').toLowerCase()
}

/** Title case of one character (ǆ → ǅ); plain upper case otherwise. */
function titleChar(c: string): string {
  const titles: Readonly<Record<string, string>> = { 'ǆ': 'ǅ', 'ǅ': 'ǅ', 'Ǆ': 'ǅ', 'ǉ': 'ǈ', 'ǈ': 'ǈ', 'Ǉ': 'ǈ', 'ǌ': 'ǋ', 'ǋ': 'ǋ', 'Ǌ': 'ǋ', 'ǳ': 'ǲ', 'ǲ': 'ǲ', 'Ǳ': 'ǲ' }
  return titles[c] ?? c.toUpperCase()
}

/** str.title: a cased character after an uncased one starts a word ("they're" → "They'Re"). */
export function title(s: string): string {
  let out = ''
  let previousCased = false
  for (const c of s) {
    if (isCased(c)) {
      out += previousCased ? c.toLowerCase() : titleChar(c)
      previousCased = true
    } else {
      out += c
      previousCased = false
    }
  }
  return out
}

export function swapcase(s: string): string {
  let out = ''
  for (const c of s) out += isUpperChar(c) ? c.toLowerCase() : isLowerChar(c) ? c.toUpperCase() : c
  return out
}

export function islower(s: string): boolean {
  let cased = false
  for (const c of s) {
    if (isUpperChar(c) || /\p{Lt}/u.test(c)) return false
    if (isLowerChar(c)) cased = true
  }
  return cased
}

export function isupper(s: string): boolean {
  let cased = false
  for (const c of s) {
    if (isLowerChar(c) || /\p{Lt}/u.test(c)) return false
    if (isUpperChar(c)) cased = true
  }
  return cased
}

export function istitle(s: string): boolean {
  let cased = false
  let previousCased = false
  for (const c of s) {
    if (isUpperChar(c) || /\p{Lt}/u.test(c)) {
      if (previousCased) return false
      previousCased = true
      cased = true
    } else if (isLowerChar(c)) {
      if (!previousCased) return false
      previousCased = true
      cased = true
    } else previousCased = false
  }
  return cased
}

const every = (s: string, test: (c: string) => boolean): boolean => s.length > 0 && chars(s).every(test)
export const isspace = (s: string): boolean => every(s, isSpaceChar)
export const isalpha = (s: string): boolean => every(s, (c) => /\p{L}/u.test(c))
export const isdecimal = (s: string): boolean => every(s, (c) => /\p{Nd}/u.test(c))
export const isdigit = (s: string): boolean => every(s, (c) => /\p{Nd}/u.test(c) || /[\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247c\u2488-\u2490]/u.test(c))
export const isnumeric = (s: string): boolean => every(s, (c) => /\p{N}/u.test(c) || /[\u3007\u4e00\u4e8c\u4e09\u56db\u4e94\u516d\u4e03\u516b\u4e5d\u5341]/u.test(c))
export const isalnum = (s: string): boolean => every(s, (c) => /[\p{L}\p{N}]/u.test(c))
export const isascii = (s: string): boolean => chars(s).every((c) => c.codePointAt(0)! < 0x80)
export const isidentifier = (s: string): boolean => /^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u.test(s)

/** str.expandtabs(tabsize=8). */
export function expandtabs(s: string, tabsize = 8): string {
  let out = ''
  let column = 0
  for (const c of s) {
    if (c === '\t') {
      const n = tabsize > 0 ? tabsize - (column % tabsize) : 0
      out += ' '.repeat(n)
      column += n
    } else if (c === '\n' || c === '\r') {
      out += c
      column = 0
    } else {
      out += c
      column++
    }
  }
  return out
}

/** Python slice bounds (start/end may be negative or None) over a length. */
export function sliceBounds(length: number, start: number | null | undefined, end: number | null | undefined): [number, number] {
  const norm = (v: number | null | undefined, d: number): number => {
    if (v === null || v === undefined) return d
    const x = v < 0 ? v + length : v
    return Math.min(Math.max(x, 0), length)
  }
  return [norm(start, 0), norm(end, length)]
}

/** str.find / rfind over code points; -1 when absent. */
export function find(s: string, sub: string, start?: number | null, end?: number | null, last = false): number {
  const cs = chars(s)
  const subs = chars(sub)
  const [a, b] = sliceBounds(cs.length, start, end)
  if (b - a < subs.length) return (start ?? 0) > cs.length ? -1 : -1
  const matchesAt = (i: number): boolean => subs.every((c, k) => cs[i + k] === c)
  if (last) {
    for (let i = b - subs.length; i >= a; i--) if (matchesAt(i)) return i
  } else {
    for (let i = a; i + subs.length <= b; i++) if (matchesAt(i)) return i
  }
  return -1
}

/** str.count(sub, start, end): non-overlapping occurrences. */
export function count(s: string, sub: string, start?: number | null, end?: number | null): number {
  const cs = chars(s)
  const [a, b] = sliceBounds(cs.length, start, end)
  if (b < a) return 0
  const part = cs.slice(a, b).join('')
  if (sub === '') return chars(part).length + 1
  let n = 0
  let at = 0
  for (;;) {
    const i = part.indexOf(sub, at)
    if (i === -1) return n
    n++
    at = i + sub.length
  }
}

/** str.replace(old, new, count=-1); an empty `old` inserts between every character, as Python. */
export function replace(s: string, old: string, replacement: string, limit = -1): string {
  if (limit === 0) return s
  if (old === '') {
    const cs = chars(s)
    let out = ''
    let n = 0
    for (let i = 0; i <= cs.length; i++) {
      if (limit < 0 || n < limit) {
        out += replacement
        n++
      }
      if (i < cs.length) out += cs[i]
    }
    return out
  }
  let out = ''
  let at = 0
  let n = 0
  while (limit < 0 || n < limit) {
    const i = s.indexOf(old, at)
    if (i === -1) break
    out += s.slice(at, i) + replacement
    at = i + old.length
    n++
  }
  return out + s.slice(at)
}

/** str.partition / rpartition. */
export function partition(s: string, sep: string, last = false): [string, string, string] {
  if (sep === '') throw new TemplateError('empty separator')
  const i = last ? s.lastIndexOf(sep) : s.indexOf(sep)
  if (i === -1) return last ? ['', '', s] : [s, '', '']
  return [s.slice(0, i), sep, s.slice(i + sep.length)]
}
