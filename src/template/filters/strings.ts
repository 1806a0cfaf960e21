/**
 * String filters as Jinja 3.1 and Ansible 2.14 define them: case, trimming, indent, truncate,
 * wordwrap, HTML escaping, shell quoting, Ansible's comment decoration, URL quoting.
 */
import { define, type CallContext, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { percentFormat } from '../pyformat.js'
import { isMapping, isTuple, str, tuple, typeName } from '../values.js'
import * as py from './pystring.js'
import { wrap } from './textwrap.js'
import { attrGetter, listOf, needInt, ownKwargs, toText } from './util.js'

/** markupsafe.escape: & < > ' " as entities. */
export function htmlEscape(s: string): string {
  return s.replace(/[&<>'"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&#39;', '"': '&#34;' })[c]!)
}

const ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', raquo: '»', laquo: '«', hellip: '…',
  mdash: '—', ndash: '–', euro: '€', trade: '™', deg: '°', middot: '·', bull: '•', times: '×', divide: '÷',
}

/** html.unescape for numeric references and the common named ones. */
function htmlUnescape(s: string): string {
  return s.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);?/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10)
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : '\ufffd'
    }
    return Object.hasOwn(ENTITIES, ref) ? ENTITIES[ref]! : whole
  })
}

function indent(ctx: CallContext, s: unknown, width: unknown = 4, first: unknown = false, blank: unknown = false): string {
  if (typeof s !== 'string') throw new TemplateError(`unsupported operand type(s) for +=: '${typeName(s)}' and 'str'`)
  const size = typeof width === 'string' ? width.length : Math.max(0, needInt(width, 'width'))
  ctx.charge(size * (py.splitlines(s).length + 1))
  const indention = typeof width === 'string' ? width : ' '.repeat(size)
  const text = `${s}\n`
  let rv: string
  if (blank === true || (blank !== false && Boolean(blank))) rv = py.splitlines(text).join(`\n${indention}`)
  else {
    const lines = py.splitlines(text)
    rv = lines.shift() ?? ''
    if (lines.length) rv += `\n${lines.map((l) => (l ? indention + l : l)).join('\n')}`
  }
  return first === true || (first !== false && Boolean(first)) ? indention + rv : rv
}

function truncate(s: unknown, length: unknown = 255, killwords: unknown = false, end: unknown = '...', leeway: unknown = 5): unknown {
  const n = needInt(length, 'length')
  const endText = toText(end)
  const lee = leeway === null ? 5 : needInt(leeway, 'leeway')
  if (n < py.chars(endText).length) throw new TemplateError(`expected length >= ${py.chars(endText).length}, got ${n}`)
  if (lee < 0) throw new TemplateError(`expected leeway >= 0, got ${lee}`)
  if (typeof s !== 'string') throw new TemplateError(`truncate expects a string, got ${typeName(s)}`)
  const cs = py.chars(s)
  if (cs.length <= n + lee) return s
  const head = cs.slice(0, n - py.chars(endText).length).join('')
  if (killwords) return head + endText
  const cut = py.rsplit(head, ' ', 1)[0]!
  return cut + endText
}

function title(s: unknown): string {
  const text = toText(s)
  const parts = text.split(/([-\s({[<\x1c-\x1f\x85]+)/u)
  return parts.filter((p) => p !== '').map((item) => {
    const cs = py.chars(item)
    return cs[0]!.toUpperCase() + cs.slice(1).join('').toLowerCase()
  }).join('')
}

function wordwrap(s: unknown, width: unknown = 79, breakLongWords: unknown = true, wrapstring: unknown = null, breakOnHyphens: unknown = true): string {
  const text = toText(s)
  const sep = wrapstring === null ? '\n' : toText(wrapstring)
  const w = needInt(width, 'width')
  if (w <= 0) throw new TemplateError(`invalid width ${w} (must be > 0)`)
  const options = { width: w, breakLongWords: Boolean(breakLongWords), breakOnHyphens: Boolean(breakOnHyphens) }
  return py.splitlines(text).map((line) => wrap(line, options).join(sep)).join(sep)
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

/** Python's shlex.quote. */
export function shellQuote(s: string): string {
  if (s === '') return "''"
  if (SHELL_SAFE.test(s)) return s
  return `'${s.replaceAll("'", `'"'"'`)}'`
}

const COMMENT_STYLES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  plain: { decoration: '# ' },
  erlang: { decoration: '% ' },
  c: { decoration: '// ' },
  cblock: { beginning: '/*', decoration: ' * ', end: ' */' },
  xml: { beginning: '<!--', decoration: ' - ', end: '-->' },
}

/** Ansible's comment filter (plugins/filter/core.py), parameter for parameter. */
function comment(text: unknown, style: unknown = 'plain', given: Readonly<Record<string, unknown>> = {}): string {
  const kw = ownKwargs(given)
  const styleName = toText(style)
  if (!Object.hasOwn(COMMENT_STYLES, styleName)) throw new TemplateError(`KeyError: '${styleName}'`)
  const styleParams = COMMENT_STYLES[styleName]!
  const prepostfix = Object.hasOwn(kw, 'decoration') ? toText(kw.decoration) : styleParams.decoration!
  const p: Record<string, unknown> = {
    newline: '\n', beginning: '', prefix: py.strip(prepostfix, null, 'right'), prefix_count: 1, decoration: '',
    postfix: py.strip(prepostfix, null, 'right'), postfix_count: 1, end: '',
  }
  Object.assign(p, styleParams)
  for (const [k, v] of Object.entries(kw)) Object.defineProperty(p, k, { value: v, enumerable: true, writable: true, configurable: true })
  const s = (k: string): string => toText(p[k])
  const nl = s('newline')
  const truthyText = (k: string): boolean => p[k] !== '' && p[k] !== null && p[k] !== false && p[k] !== 0
  const beginning = truthyText('beginning') ? `${s('beginning')}${nl}` : ''
  let prefix = ''
  if (truthyText('prefix')) prefix = (s('prefix') !== nl ? `${s('prefix')}${nl}` : nl).repeat(Math.max(0, needInt(p.prefix_count, 'prefix_count')))
  const decoration = s('decoration')
  const body = `${decoration}${py.replace(toText(text), nl, `${nl}${decoration}`)}`
  const textPart = py.replace(body, `${decoration}${nl}`, `${py.strip(decoration, null, 'right')}${nl}`)
  const postfix = ['', ...Array.from({ length: Math.max(0, needInt(p.postfix_count, 'postfix_count')) }, () => s('postfix'))].join(nl)
  const end = truthyText('end') ? `${nl}${s('end')}` : ''
  return `${beginning}${prefix}${textPart}${postfix}${end}`
}

const URL_SAFE = /[A-Za-z0-9_.\-~]/

/** Jinja's url_quote: UTF-8 bytes percent-encoded; `/` kept unless for a query, where space is `+`. */
export function urlQuote(value: unknown, forQuery: boolean): string {
  const text = typeof value === 'string' ? value : str(value)
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte)
    out += URL_SAFE.test(c) || (!forQuery && c === '/') ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return forQuery ? out.replaceAll('%20', '+') : out
}

function urlencode(value: unknown): string {
  if (typeof value === 'string' || (!Array.isArray(value) && !isMapping(value))) return urlQuote(value, false)
  const items: unknown[] = isMapping(value) ? Object.keys(value).map((k) => tuple([k, value[k]])) : value
  return items.map((item) => {
    const pair = listOf(item)
    if (pair.length !== 2) throw new TemplateError(`too many values to unpack (expected 2)`)
    return `${urlQuote(pair[0], true)}=${urlQuote(pair[1], true)}`
  }).join('&')
}

/** Python's unquote_plus: `+` is a space, %XX bytes decoded as UTF-8 (bad bytes become U+FFFD). */
function urldecode(value: unknown): string {
  const text = toText(value).replaceAll('+', ' ')
  const bytes: number[] = []
  let out = ''
  const flush = (): void => {
    if (bytes.length) out += Buffer.from(bytes).toString('utf8')
    bytes.length = 0
  }
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16))
      i += 2
    } else {
      flush()
      out += text[i]
    }
  }
  flush()
  return out
}

export const stringFilters: CallableTable = {
  upper: define(['s'], (_c, s) => toText(s).toUpperCase()),
  lower: define(['s'], (_c, s) => toText(s).toLowerCase()),
  capitalize: define(['s'], (_c, s) => py.capitalize(toText(s))),
  title: define(['s'], (_c, s) => title(s)),
  trim: define(['value', 'chars'], (_c, v, chars = null) => py.strip(toText(v), chars === null ? null : toText(chars))),
  center: define(['value', 'width'], (ctx, v, width = 80) => {
    ctx.charge(Math.max(0, needInt(width, 'width')))
    return py.center(toText(v), needInt(width, 'width'))
  }),
  indent: define(['s', 'width', 'first', 'blank'], (ctx, s, w, f, b) => indent(ctx, s, w, f, b)),
  truncate: define(['s', 'length', 'killwords', 'end', 'leeway'], (_c, s, l, k, e, lw) => truncate(s, l, k, e, lw)),
  wordcount: define(['s'], (_c, s) => (toText(s).match(/[\p{L}\p{N}_]+/gu) ?? []).length),
  wordwrap: define(['s', 'width', 'break_long_words', 'wrapstring', 'break_on_hyphens'], (_c, s, w, b, ws, h) => wordwrap(s, w, b, ws, h)),
  replace: define(['s', 'old', 'new', 'count'], (_c, s, old, replacement, count = null) =>
    py.replace(toText(s), toText(old), toText(replacement), count === null ? -1 : needInt(count, 'count'))),
  format: define(['value', '*args', '**kwargs'], (_c, value, args, kwargs) => {
    const positional = args as unknown[]
    const named = kwargs as Record<string, unknown>
    if (positional.length && Object.keys(named).length) throw new TemplateError("can't handle positional and keyword arguments at the same time")
    return percentFormat(toText(value), Object.keys(named).length ? named : tuple([...positional]))
  }),
  string: define(['value'], (_c, v) => toText(v)),
  safe: define(['value'], (_c, v) => toText(v)),
  escape: define(['s'], (_c, s) => htmlEscape(toText(s))),
  e: define(['s'], (_c, s) => htmlEscape(toText(s))),
  forceescape: define(['value'], (_c, v) => htmlEscape(toText(v))),
  striptags: define(['value'], (_c, v) => {
    const text = toText(v).replace(/<!--[\s\S]*?-->/g, '').replace(/<[\s\S]*?>/g, '')
    return htmlUnescape(py.split(text, null).join(' '))
  }),
  urlencode: define(['value'], (_c, v) => urlencode(v)),
  urldecode: define(['string'], (_c, v) => urldecode(v)),
  split: define(['value', 'sep', 'maxsplit'], (_c, v, sep = null, maxsplit = -1) => {
    if (typeof v !== 'string') throw new TemplateError(`descriptor 'split' for 'str' objects doesn't apply to a '${typeName(v)}' object`)
    if (sep !== null && typeof sep !== 'string') throw new TemplateError(`must be str or None, not ${typeName(sep)}`)
    return py.split(v, sep, needInt(maxsplit, 'maxsplit'))
  }),
  quote: define(['a'], (_c, a) => shellQuote(a === null ? '' : toText(a))),
  comment: define(['text', 'style', '**kw'], (ctx, text, style, kw) => {
    const counts = ownKwargs(kw)
    for (const k of ['prefix_count', 'postfix_count']) if (Object.hasOwn(counts, k)) ctx.charge(Math.max(0, needInt(counts[k], k)))
    return comment(text, style, kw as Record<string, unknown>)
  }),
  join: define(['value', 'd', 'attribute'], (ctx, value, d = '', attribute = null) => {
    let items = listOf(value, ctx)
    if (attribute !== null) items = items.map(attrGetter(attribute))
    return items.map((x) => toText(x)).join(toText(d))
  }),
  type_debug: define(['o'], (_c, o) => (isTuple(o) ? 'tuple' : typeName(o) === 'str' ? 'str' : typeName(o))),
}
