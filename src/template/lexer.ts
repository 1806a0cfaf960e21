/**
 * Jinja's lexer, as Python Jinja2 3.1 splits a template: text, `{{ }}`, `{% %}`, `{# #}` and
 * `{% raw %}`, with its whitespace rules (`-` strips, `+` keeps, trim_blocks drops the newline
 * after a block tag, lstrip_blocks drops the indentation before one). Inside tags it yields
 * expression tokens with their offsets, so every error can point at a column.
 */
import { TemplateError } from './errors.js'

export interface WhitespaceOptions {
  readonly trimBlocks: boolean
  readonly lstripBlocks: boolean
  /** What a newline in template text becomes (`\n`, `\r\n` or `\r`). */
  readonly newlineSequence: string
  /**
   * Ansible's escape_backslashes for playbook text: inside `{{ }}`, a string literal's
   * backslashes are literal (`'\d'` is backslash-d), as YAML already unescaped them once.
   */
  readonly literalBackslashes?: boolean
  /** Jinja's keep_trailing_newline: the source's last line break is kept (a `#jinja2:` header may ask). */
  readonly keepTrailingNewline?: boolean
}

export type TokenType = 'data' | 'var_begin' | 'var_end' | 'block_begin' | 'block_end' | 'name' | 'string' | 'int' | 'float' | 'op' | 'eof'

export interface Token {
  readonly type: TokenType
  readonly value: string
  /** int and float tokens: the number; string tokens: the unescaped text. */
  readonly parsed?: unknown
  readonly offset: number
}

const OPERATORS = ['//', '**', '==', '!=', '<=', '>=', '+', '-', '/', '*', '%', '~', '[', ']', '(', ')', '{', '}', '<', '>', '=', '.', ':', '|', ',', ';']
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y
/** Jinja's numbers: a float needs digits on both sides of its dot (`x.0` is an item lookup). */
const NUMBER = /(?:0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[0-9a-fA-F])+|\d(?:_?\d)*\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*|\d(?:_?\d)*)/y
const INTEGER = /\d(?:_?\d)*/y
const STRING = /'([^'\\]*(?:\\[\s\S][^'\\]*)*)'|"([^"\\]*(?:\\[\s\S][^"\\]*)*)"/y
const SPACE = /\s+/y
/** Characters an identifier-like run may contain that Jinja would not take as a name: refused. */
const FOREIGN_NAME = /[^\s\x00-\x7f]+/uy

/** Python's str.splitlines separators; Jinja joins the lines with `\n` before lexing. */
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/g

/** The source as Jinja lexes it: line breaks normalized and one trailing line break dropped. */
export function jinjaSource(source: string, keepTrailingNewline = false): string {
  const lines = source.split(LINE_BREAK)
  if (!keepTrailingNewline && lines.length > 1 && lines.at(-1) === '') lines.pop()
  return lines.join('\n')
}

/** Python's unicode-escape of a string literal's body; unknown escapes stay as written. */
function unescape(body: string, offset: number): string {
  return body.replace(/\\(?:([\\'"abfnrtv\n])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{1,3}))|\\/g, (whole, simple?: string, x?: string, u?: string, U?: string, oct?: string) => {
    if (simple !== undefined) {
      const map: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '' }
      return map[simple]!
    }
    const hex = x ?? u ?? U
    if (hex !== undefined) {
      const code = Number.parseInt(hex, 16)
      if (code > 0x10ffff) throw new TemplateError('illegal Unicode character in a string', { offset })
      return String.fromCodePoint(code)
    }
    if (oct !== undefined) return String.fromCodePoint(Number.parseInt(oct, 8))
    return whole
  })
}

interface Ends {
  readonly close: string
  readonly kind: 'var' | 'block' | 'comment'
}
const OPEN: Readonly<Record<string, Ends>> = {
  '{{': { close: '}}', kind: 'var' },
  '{%': { close: '%}', kind: 'block' },
  '{#': { close: '#}', kind: 'comment' },
}

/** The indentation before offset `end` in `data`, when only spaces/tabs stand between it and a line start. */
function indentBefore(data: string, atTemplateStart: boolean): number | undefined {
  const nl = data.lastIndexOf('\n')
  const tail = data.slice(nl + 1)
  if (nl === -1 && !atTemplateStart) return undefined
  return /^[ \t]*$/.test(tail) ? tail.length : undefined
}

export class Lexer {
  private readonly tokens: Token[] = []
  private pos = 0
  /** Set by a `-` or trim_blocks at a tag's end: what to strip from the start of the next text. */
  private stripNext: 'all' | 'newline' | 'none' = 'none'

  constructor(
    private readonly src: string,
    private readonly options: WhitespaceOptions,
  ) {}

  tokenize(): Token[] {
    let lineStarting = true
    while (this.pos < this.src.length) {
      const next = this.nextOpen(this.pos)
      const dataEnd = next === -1 ? this.src.length : next
      const dataStart = this.pos
      let data = this.src.slice(dataStart, dataEnd)
      const lead = this.leadingStrip(data)
      if (lead > 0) lineStarting = data[lead - 1] === '\n'
      data = data.slice(lead)
      if (next !== -1) data = this.stripBefore(data, next, lineStarting)
      this.pushData(data, dataStart + lead)
      if (next === -1) break
      lineStarting = this.tag(next)
    }
    this.tokens.push({ type: 'eof', value: '', offset: this.src.length })
    return this.tokens
  }

  /** How much of the text after a tag its close strips: all whitespace (`-`) or one newline (trim_blocks). */
  private leadingStrip(data: string): number {
    const how = this.stripNext
    this.stripNext = 'none'
    if (how === 'all') return data.length - data.replace(/^\s+/, '').length
    return how === 'newline' && data.startsWith('\n') ? 1 : 0
  }

  private nextOpen(from: number): number {
    let i = from
    for (;;) {
      i = this.src.indexOf('{', i)
      if (i === -1 || i + 1 >= this.src.length) return -1
      const c = this.src[i + 1]
      if (c === '{' || c === '%' || c === '#') return i
      i += 1
    }
  }

  /**
   * Whitespace control at a tag's start: `-` strips all; lstrip_blocks strips the indentation of a
   * block or comment tag that starts its line (Jinja: the text since the last newline, or since a
   * tag whose match ended in a newline, is only whitespace).
   */
  private stripBefore(data: string, tagAt: number, lineStarting: boolean): string {
    const opener = this.src.slice(tagAt, tagAt + 2)
    const marker = this.src[tagAt + 2]
    if (marker === '-') return data.replace(/\s+$/, '')
    if (this.options.lstripBlocks && opener !== '{{' && marker !== '+') {
      const lineStart = data.lastIndexOf('\n') + 1
      if ((lineStart > 0 || lineStarting) && /^\s*$/.test(data.slice(lineStart))) return data.slice(0, lineStart)
    }
    return data
  }

  private pushData(data: string, offset: number): void {
    if (data === '') return
    const value = this.options.newlineSequence === '\n' ? data : data.replace(/\r\n|\r|\n/g, this.options.newlineSequence)
    this.tokens.push({ type: 'data', value, offset })
  }

  /** Reads one tag; returns whether its match ended a line (it never does until its close strips). */
  private tag(at: number): false {
    const ends = OPEN[this.src.slice(at, at + 2)]!
    let inner = at + 2
    if (this.src[inner] === '-' || this.src[inner] === '+') inner += 1
    if (ends.kind === 'comment') this.comment(at, inner)
    else if (ends.kind === 'block' && this.isRaw(inner)) this.raw(at)
    else {
      this.tokens.push({ type: ends.kind === 'var' ? 'var_begin' : 'block_begin', value: this.src.slice(at, inner), offset: at })
      this.pos = inner
      this.expressionTokens(ends)
    }
    return false
  }

  private comment(at: number, inner: number): void {
    const close = this.src.indexOf('#}', inner)
    if (close === -1) throw new TemplateError('missing end of comment tag', { offset: at })
    const minus = this.src[close - 1] === '-' && close - 1 >= inner
    const plus = this.src[close - 1] === '+' && close - 1 >= inner
    this.pos = close + 2
    this.stripNext = minus ? 'all' : this.options.trimBlocks && !plus ? 'newline' : 'none'
  }

  private isRaw(inner: number): boolean {
    return /^\s*raw\s*[-+]?%\}/.test(this.src.slice(inner, inner + 64))
  }

  /** `{% raw %}…{% endraw %}`: the body is text; no trim_blocks after the opening tag (as Jinja). */
  private raw(at: number): void {
    const open = /\{%[-+]?\s*raw\s*(-?)%\}/y
    open.lastIndex = at
    const m = open.exec(this.src)!
    const end = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/g
    end.lastIndex = open.lastIndex
    const e = end.exec(this.src)
    if (e === null) throw new TemplateError('missing end of raw directive', { offset: at })
    let body = this.src.slice(open.lastIndex, e.index)
    if (m[1] === '-') body = body.replace(/^\s+/, '')
    if (e[1] === '-') body = body.replace(/\s+$/, '')
    else if (this.options.lstripBlocks && e[1] !== '+') {
      const indent = indentBefore(body, false)
      if (indent !== undefined) body = body.slice(0, body.length - indent)
    }
    this.pushData(body, open.lastIndex)
    this.pos = end.lastIndex
    this.stripNext = e[2] === '-' ? 'all' : this.options.trimBlocks && e[2] !== '+' ? 'newline' : 'none'
  }

  /** Tokens up to the tag's close; braces and brackets nest, so `}}` inside `{ }` is not an end. */
  private expressionTokens(ends: Ends): void {
    const kind = ends.kind
    const depth: string[] = []
    const src = this.src
    for (;;) {
      SPACE.lastIndex = this.pos
      if (SPACE.exec(src)) this.pos = SPACE.lastIndex
      if (this.pos >= src.length) throw new TemplateError(`unexpected end of template: the ${kind === 'var' ? '`{{`' : '`{%`'} tag is never closed`, { offset: this.pos })
      if (depth.length === 0) {
        const closeAt = this.closeAt(ends.close)
        if (closeAt !== undefined) {
          const { marker, length } = closeAt
          const start = this.pos
          this.pos += length
          this.tokens.push({ type: kind === 'var' ? 'var_end' : 'block_end', value: src.slice(start, this.pos), offset: start })
          this.stripNext = marker === '-' ? 'all' : kind === 'block' && this.options.trimBlocks && marker !== '+' ? 'newline' : 'none'
          return
        }
      }
      const token = this.expressionToken(kind === 'var' && this.options.literalBackslashes === true)
      if (token.type === 'op') {
        if (token.value === '(' || token.value === '[' || token.value === '{') depth.push(token.value)
        if (token.value === ')' || token.value === ']' || token.value === '}') {
          const open = depth.pop()
          const want = token.value === ')' ? '(' : token.value === ']' ? '[' : '{'
          if (open !== want) throw new TemplateError(`unexpected '${token.value}'`, { offset: token.offset })
        }
      }
      this.tokens.push(token)
    }
  }

  /** A tag close at pos: `}}`, `-}}`, `+%}`…; the `-`/`+` must not be an operator before it. */
  private closeAt(close: string): { marker: string; length: number } | undefined {
    const src = this.src
    if (src.startsWith(close, this.pos)) return { marker: '', length: close.length }
    const c = src[this.pos]
    if ((c === '-' || c === '+') && src.startsWith(close, this.pos + 1)) {
      // `{{ a -}}` strips; `+}}` only exists for blocks (Jinja reads `+}}` in a variable as an error).
      if (c === '+' && close === '}}') return undefined
      return { marker: c, length: close.length + 1 }
    }
    return undefined
  }

  private expressionToken(literalBackslashes = false): Token {
    const src = this.src
    const at = this.pos
    STRING.lastIndex = at
    const s = STRING.exec(src)
    if (s) {
      this.pos = STRING.lastIndex
      const body = s[1] ?? s[2] ?? ''
      const text = body.replace(/\r\n|\r/g, '\n')
      return { type: 'string', value: s[0], parsed: literalBackslashes ? text : unescape(text, at), offset: at }
    }
    if (src[at] === "'" || src[at] === '"') throw new TemplateError('unexpected end of string: a quote is never closed', { offset: at })
    // After a dot only an integer (Jinja's `(?<!\.)`): `a.0.1` is a[0][1], not a[0.1].
    const pattern = src[at - 1] === '.' ? INTEGER : NUMBER
    pattern.lastIndex = at
    const n = /[0-9]/.test(src[at]!) ? pattern.exec(src) : null
    if (n && n[0] !== '') {
      this.pos = pattern.lastIndex
      const text = n[0].replaceAll('_', '')
      if (/^0\d*[1-9]\d*$/.test(text)) throw new TemplateError('leading zeros in decimal integer literals are not permitted', { offset: at })
      const isFloat = /^[0-9.]*[.eE]/.test(text) && !/^0[xXbBoO]/.test(text)
      const value = isFloat ? Number(text) : /^0[oO]/.test(text) ? Number.parseInt(text.slice(2), 8) : Number(text)
      return { type: isFloat ? 'float' : 'int', value: n[0], parsed: value, offset: at }
    }
    NAME.lastIndex = at
    const name = NAME.exec(src)
    if (name) {
      this.pos = NAME.lastIndex
      FOREIGN_NAME.lastIndex = this.pos
      if (FOREIGN_NAME.exec(src)) throw refusedIdentifier(src, at)
      return { type: 'name', value: name[0], offset: at }
    }
    for (const op of OPERATORS) {
      if (src.startsWith(op, at)) {
        this.pos = at + op.length
        return { type: 'op', value: op, offset: at }
      }
    }
    FOREIGN_NAME.lastIndex = at
    if (FOREIGN_NAME.exec(src)) throw refusedIdentifier(src, at)
    throw new TemplateError(`unexpected character ${JSON.stringify(src[at])}`, { offset: at })
  }
}

function refusedIdentifier(src: string, at: number): TemplateError {
  const word = /[^\s{}()[\].,|:=~+\-*/%<>!'"]+/uy
  word.lastIndex = at
  const text = word.exec(src)?.[0] ?? src[at]!
  return new TemplateError(`identifier ${JSON.stringify(text)} is not allowed: names are ASCII letters, digits and _ (^[A-Za-z_][A-Za-z0-9_]*$)`, { offset: at })
}

export function tokenize(source: string, options: WhitespaceOptions): Token[] {
  return new Lexer(source, options).tokenize()
}
