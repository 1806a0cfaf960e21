/**
 * Python's textwrap.wrap as Jinja's wordwrap calls it (no tab expansion, whitespace kept,
 * drop_whitespace on): the same chunking (`goof-ball` breaks after the hyphen) and line filling.
 * The chunk pattern is fixed here, never a template's, so a native RegExp is safe.
 */
import { strip } from './pystring.js'

const WS = '[\\t\\n\\x0b\\x0c\\r ]'
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]'
const WP = "[\\p{L}\\p{N}_!\"'&.,?]"
const LT = '(?:(?!\\p{Nd})[\\p{L}\\p{N}_])'
const WORDSEP = new RegExp(
  `(${WS}+|(?<=${WP})-{2,}(?=[\\p{L}\\p{N}_])|${NWS}+?(?:-(?:(?<=${LT}{2}-)|(?<=${LT}-${LT}-))(?=${LT}-?${LT})|(?=${WS}|$)|(?<=${WP})(?=-{2,}[\\p{L}\\p{N}_])))`,
  'u',
)
const SIMPLE = new RegExp(`(${WS}+)`, 'u')

const len = (s: string): number => Array.from(s).length
const blank = (s: string): boolean => strip(s, null) === ''

/** Python's re.split with one capturing group, empty pieces dropped (as textwrap does). */
function splitChunks(text: string, pattern: RegExp): string[] {
  const global = new RegExp(pattern.source, 'gu')
  const out: string[] = []
  let last = 0
  for (const m of text.matchAll(global)) {
    if (m[0] === '') continue
    out.push(text.slice(last, m.index), m[0])
    last = m.index + m[0].length
  }
  out.push(text.slice(last))
  return out.filter((c) => c !== '')
}

export interface WrapOptions {
  readonly width: number
  readonly breakLongWords: boolean
  readonly breakOnHyphens: boolean
}

export function wrap(text: string, options: WrapOptions): string[] {
  const { width } = options
  if (width <= 0) throw new Error(`invalid width ${width} (must be > 0)`)
  const chunks = splitChunks(text, options.breakOnHyphens ? WORDSEP : SIMPLE).reverse()
  const lines: string[] = []
  while (chunks.length) {
    const line: string[] = []
    let current = 0
    if (blank(chunks[chunks.length - 1]!) && lines.length) chunks.pop()
    while (chunks.length) {
      const l = len(chunks[chunks.length - 1]!)
      if (current + l > width) break
      line.push(chunks.pop()!)
      current += l
    }
    if (chunks.length && len(chunks[chunks.length - 1]!) > width) {
      longWord(chunks, line, current, width, options)
      current = line.reduce((n, c) => n + len(c), 0)
    }
    if (line.length && blank(line[line.length - 1]!)) {
      current -= len(line[line.length - 1]!)
      line.pop()
    }
    if (line.length) lines.push(line.join(''))
  }
  return lines
}

function longWord(chunks: string[], line: string[], current: number, width: number, options: WrapOptions): void {
  const spaceLeft = width < 1 ? 1 : width - current
  if (options.breakLongWords) {
    let end = spaceLeft
    const chunk = Array.from(chunks[chunks.length - 1]!)
    if (options.breakOnHyphens && chunk.length > spaceLeft) {
      const hyphen = chunk.slice(0, spaceLeft).lastIndexOf('-')
      if (hyphen > 0 && chunk.slice(0, hyphen).some((c) => c !== '-')) end = hyphen + 1
    }
    line.push(chunk.slice(0, end).join(''))
    chunks[chunks.length - 1] = chunk.slice(end).join('')
  } else if (!line.length) line.push(chunks.pop()!)
}
