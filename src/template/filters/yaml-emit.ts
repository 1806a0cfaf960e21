/**
 * The second half of Ansible's to_yaml/to_nice_yaml: a port of the libyaml emitter (Ansible's
 * dumper is CSafeDumper) that writes yaml-represent.ts's events: scalar style analysis (plain,
 * single or double quoted), folding at the width, indentless sequences inside mappings.
 */
import { serializeValue, type DumpOptions, type Event } from './yaml-represent.js'

export type { DumpOptions } from './yaml-represent.js'

/** Ansible's yaml.dump(value, Dumper=AnsibleDumper, ...) for template values. */
export function dumpYaml(value: unknown, options: DumpOptions, charge: (n: number) => void = () => {}): string {
  const events = serializeValue(value, options, charge)
  const emitter = new Emitter(events, options)
  return emitter.run()
}

// ---- the emitter ----

interface Analysis {
  scalar: string
  empty: boolean
  multiline: boolean
  allowFlowPlain: boolean
  allowBlockPlain: boolean
  allowSingleQuoted: boolean
  allowBlock: boolean
}

// libyaml's sets (Ansible's dumper is CSafeDumper): \r is a break, and neither \x85 nor a
// character beyond U+FFFF counts as printable, so such strings are double-quoted and escaped.
const BREAKS = '\r\n\x85\u2028\u2029'
const SPACE_OR_END = '\0 \t\r\n\x85\u2028\u2029'

function isPrintable(ch: string): boolean {
  const code = ch.codePointAt(0)!
  return code === 0x0a || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd && code !== 0xfeff)
}

function analyze(scalar: string, allowUnicode: boolean): Analysis {
  const text = Array.from(scalar)
  if (text.length === 0) {
    return { scalar, empty: true, multiline: false, allowFlowPlain: false, allowBlockPlain: true, allowSingleQuoted: true, allowBlock: false }
  }
  let blockIndicators = false
  let flowIndicators = false
  let lineBreaks = false
  let special = false
  let leadingSpace = false
  let leadingBreak = false
  let trailingSpace = false
  let trailingBreak = false
  let breakSpace = false
  let spaceBreak = false
  if (scalar.startsWith('---') || scalar.startsWith('...')) {
    blockIndicators = true
    flowIndicators = true
  }
  let precededByWhitespace = true
  let followedByWhitespace = text.length === 1 || SPACE_OR_END.includes(text[1]!)
  let previousSpace = false
  let previousBreak = false
  for (let index = 0; index < text.length; index++) {
    const ch = text[index]!
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) {
        flowIndicators = true
        blockIndicators = true
      }
      if ('?:'.includes(ch)) {
        flowIndicators = true
        if (followedByWhitespace) blockIndicators = true
      }
      if (ch === '-' && followedByWhitespace) {
        flowIndicators = true
        blockIndicators = true
      }
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true
      if (ch === ':') {
        flowIndicators = true
        if (followedByWhitespace) blockIndicators = true
      }
      if (ch === '#' && precededByWhitespace) {
        flowIndicators = true
        blockIndicators = true
      }
    }
    if (BREAKS.includes(ch)) lineBreaks = true
    if (!isPrintable(ch) || (!allowUnicode && ch.codePointAt(0)! > 0x7f)) special = true
    if (ch === ' ') {
      if (index === 0) leadingSpace = true
      if (index === text.length - 1) trailingSpace = true
      if (previousBreak) breakSpace = true
      previousSpace = true
      previousBreak = false
    } else if (BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true
      if (index === text.length - 1) trailingBreak = true
      if (previousSpace) spaceBreak = true
      previousSpace = false
      previousBreak = true
    } else {
      previousSpace = false
      previousBreak = false
    }
    precededByWhitespace = SPACE_OR_END.includes(ch)
    followedByWhitespace = index + 2 >= text.length || SPACE_OR_END.includes(text[index + 2]!)
  }
  let allowFlowPlain = true
  let allowBlockPlain = true
  let allowSingleQuoted = true
  let allowBlock = true
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowFlowPlain = allowBlockPlain = false
  if (trailingSpace) allowBlock = false
  if (breakSpace) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false
  if (spaceBreak || special) allowFlowPlain = allowBlockPlain = allowSingleQuoted = allowBlock = false
  if (lineBreaks) allowFlowPlain = allowBlockPlain = false
  if (flowIndicators) allowFlowPlain = false
  if (blockIndicators) allowBlockPlain = false
  return { scalar, empty: false, multiline: lineBreaks, allowFlowPlain, allowBlockPlain, allowSingleQuoted, allowBlock }
}

const ESCAPES: Readonly<Record<string, string>> = {
  '\0': '0', '\x07': 'a', '\x08': 'b', '\x09': 't', '\x0a': 'n', '\x0b': 'v', '\x0c': 'f', '\x0d': 'r', '\x1b': 'e',
  '"': '"', '\\': '\\', '\x85': 'N', '\xa0': '_', '\u2028': 'L', '\u2029': 'P',
}

class Emitter {
  private out = ''
  private i = 0
  private readonly states: (() => void)[] = []
  private state: () => void
  private readonly indents: (number | null)[] = []
  private indent: number | null = null
  private flowLevel = 0
  private mappingContext = false
  private simpleKeyContext = false
  private column = 0
  private whitespace = true
  private indention = true
  private analysis: Analysis | null = null
  private style: string | null = null
  private readonly bestIndent: number
  private readonly bestWidth: number

  constructor(
    private readonly events: Event[],
    private readonly options: DumpOptions,
  ) {
    this.bestIndent = options.indent > 1 && options.indent < 10 ? options.indent : 2
    this.bestWidth = options.width > this.bestIndent * 2 ? options.width : 80
    this.state = () => this.expectDocumentStart()
  }

  private get event(): Event {
    return this.events[this.i]!
  }

  private peek(): Event | undefined {
    return this.events[this.i + 1]
  }

  run(): string {
    while (this.i < this.events.length) {
      this.state()
      this.i++
    }
    return this.out
  }

  private write(data: string): void {
    this.out += data
    this.column += Array.from(data).length
  }

  private increaseIndent(flow = false, indentless = false): void {
    this.indents.push(this.indent)
    if (this.indent === null) this.indent = flow ? this.bestIndent : 0
    else if (!indentless) this.indent += this.bestIndent
  }

  private popIndent(): void {
    this.indent = this.indents.pop() ?? null
  }

  private popState(): void {
    this.state = this.states.pop()!
  }

  private expectDocumentStart(): void {
    if (this.options.explicitStart) {
      this.writeIndent()
      this.writeIndicator('---', true)
    }
    this.states.push(() => this.expectDocumentEnd())
    this.expectNode()
  }

  private expectDocumentEnd(): void {
    this.writeIndent()
    if (this.options.explicitEnd) {
      this.writeIndicator('...', true)
      this.writeIndent()
    }
    this.state = () => {}
  }

  private expectNode(mapping = false, simpleKey = false): void {
    this.mappingContext = mapping
    this.simpleKeyContext = simpleKey
    const e = this.event
    if (e.kind === 'alias') {
      this.writeIndicator(`*${e.anchor}`, true)
      this.popState()
      return
    }
    if (e.kind === 'scalar' || e.kind === 'seq' || e.kind === 'map') {
      if (e.anchor !== null) this.writeIndicator(`&${e.anchor}`, true)
      if (e.kind === 'scalar') this.processTagFor(e)
      if (e.kind === 'scalar') {
        this.increaseIndent(true)
        this.processScalar(e)
        this.popIndent()
        this.popState()
      } else if (e.kind === 'seq') {
        if (this.flowLevel || e.flow || this.peek()?.kind === 'end') this.expectFlowSequence()
        else this.expectBlockSequence()
      } else if (this.flowLevel || e.flow || this.peek()?.kind === 'end') this.expectFlowMapping()
      else this.expectBlockMapping()
    }
  }

  private processTagFor(e: Extract<Event, { kind: 'scalar' }>): void {
    this.style ??= this.chooseScalarStyle(e)
    if ((this.style === '' && e.implicit[0]) || (this.style !== '' && e.implicit[1])) return
    // A non-str scalar that may not be plain (cannot happen for the values tend dumps).
    this.writeIndicator(`!!${e.tag}`, true)
  }

  // flow sequences
  private expectFlowSequence(): void {
    this.writeIndicator('[', true, true)
    this.flowLevel++
    this.increaseIndent(true)
    this.state = () => this.expectFlowSequenceItem(true)
  }

  private expectFlowSequenceItem(first: boolean): void {
    if (this.event.kind === 'end') {
      this.popIndent()
      this.flowLevel--
      this.writeIndicator(']', false)
      this.popState()
      return
    }
    if (!first) this.writeIndicator(',', false)
    if (this.column > this.bestWidth) this.writeIndent()
    this.states.push(() => this.expectFlowSequenceItem(false))
    this.expectNode()
  }

  // flow mappings
  private expectFlowMapping(): void {
    this.writeIndicator('{', true, true)
    this.flowLevel++
    this.increaseIndent(true)
    this.state = () => this.expectFlowMappingKey(true)
  }

  private expectFlowMappingKey(first: boolean): void {
    if (this.event.kind === 'end') {
      this.popIndent()
      this.flowLevel--
      this.writeIndicator('}', false)
      this.popState()
      return
    }
    if (!first) this.writeIndicator(',', false)
    if (this.column > this.bestWidth) this.writeIndent()
    if (this.checkSimpleKey()) {
      this.states.push(() => this.expectFlowMappingSimpleValue())
      this.expectNode(true, true)
    } else {
      this.writeIndicator('?', true)
      this.states.push(() => this.expectFlowMappingValue())
      this.expectNode(true)
    }
  }

  private expectFlowMappingSimpleValue(): void {
    this.writeIndicator(':', false)
    this.states.push(() => this.expectFlowMappingKey(false))
    this.expectNode(true)
  }

  private expectFlowMappingValue(): void {
    if (this.column > this.bestWidth) this.writeIndent()
    this.writeIndicator(':', true)
    this.states.push(() => this.expectFlowMappingKey(false))
    this.expectNode(true)
  }

  // block sequences
  private expectBlockSequence(): void {
    const indentless = this.mappingContext && !this.indention
    this.increaseIndent(false, indentless)
    this.state = () => this.expectBlockSequenceItem(true)
  }

  private expectBlockSequenceItem(first: boolean): void {
    if (!first && this.event.kind === 'end') {
      this.popIndent()
      this.popState()
      return
    }
    this.writeIndent()
    this.writeIndicator('-', true, false, true)
    this.states.push(() => this.expectBlockSequenceItem(false))
    this.expectNode()
  }

  // block mappings
  private expectBlockMapping(): void {
    this.increaseIndent(false)
    this.state = () => this.expectBlockMappingKey(true)
  }

  private expectBlockMappingKey(first: boolean): void {
    if (!first && this.event.kind === 'end') {
      this.popIndent()
      this.popState()
      return
    }
    this.writeIndent()
    if (this.checkSimpleKey()) {
      this.states.push(() => this.expectBlockMappingSimpleValue())
      this.expectNode(true, true)
    } else {
      this.writeIndicator('?', true, false, true)
      this.states.push(() => this.expectBlockMappingValue())
      this.expectNode(true)
    }
  }

  private expectBlockMappingSimpleValue(): void {
    this.writeIndicator(':', false)
    this.states.push(() => this.expectBlockMappingKey(false))
    this.expectNode(true)
  }

  private expectBlockMappingValue(): void {
    this.writeIndent()
    this.writeIndicator(':', true, false, true)
    this.states.push(() => this.expectBlockMappingKey(false))
    this.expectNode(true)
  }

  /** libyaml's check: not multiline, and at most 128 bytes of UTF-8 with the anchor. */
  private checkSimpleKey(): boolean {
    const e = this.event
    if (e.kind === 'alias') return e.anchor.length <= 128
    let length = e.kind === 'scalar' || e.kind === 'seq' || e.kind === 'map' ? (e.anchor?.length ?? 0) : 0
    if (e.kind === 'scalar') {
      this.analysis ??= analyze(e.value, this.options.allowUnicode)
      if (this.analysis.multiline) return false
      length += Buffer.byteLength(e.value, 'utf8')
    } else if ((e.kind === 'seq' || e.kind === 'map') && this.peek()?.kind !== 'end') return false
    else if (e.kind !== 'seq' && e.kind !== 'map') return false
    return length <= 128
  }

  /** libyaml's yaml_emitter_select_scalar_style for plain-or-quoted scalars. */
  private chooseScalarStyle(e: Extract<Event, { kind: 'scalar' }>): string {
    this.analysis ??= analyze(e.value, this.options.allowUnicode)
    const a = this.analysis
    let style = ''
    if ((this.flowLevel && !a.allowFlowPlain) || (!this.flowLevel && !a.allowBlockPlain)) style = "'"
    if (a.empty && (this.flowLevel || this.simpleKeyContext)) style = "'"
    if (!e.implicit[0]) style = "'"
    if (style === "'" && !a.allowSingleQuoted) style = '"'
    return style
  }

  private processScalar(e: Extract<Event, { kind: 'scalar' }>): void {
    this.analysis ??= analyze(e.value, this.options.allowUnicode)
    this.style ??= this.chooseScalarStyle(e)
    const split = !this.simpleKeyContext
    const text = this.analysis.scalar
    if (this.style === '"') this.writeDoubleQuoted(text, split)
    else if (this.style === "'") this.writeSingleQuoted(text, split)
    else this.writePlain(text, split)
    this.analysis = null
    this.style = null
  }

  // writers
  private writeIndicator(indicator: string, needWhitespace: boolean, whitespace = false, indention = false): void {
    const data = this.whitespace || !needWhitespace ? indicator : ` ${indicator}`
    this.whitespace = whitespace
    this.indention = this.indention && indention
    this.write(data)
  }

  private writeIndent(): void {
    const indent = this.indent ?? 0
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) this.writeLineBreak()
    if (this.column < indent) {
      this.whitespace = true
      this.write(' '.repeat(indent - this.column))
    }
  }

  private writeLineBreak(data?: string): void {
    this.whitespace = true
    this.indention = true
    this.out += data ?? this.options.lineBreak
    this.column = 0
  }

  private writeSingleQuoted(scalar: string, split: boolean): void {
    const text = Array.from(scalar)
    this.writeIndicator("'", true)
    let spaces = false
    let breaks = false
    let start = 0
    let end = 0
    while (end <= text.length) {
      const ch = end < text.length ? text[end]! : null
      if (spaces) {
        if (ch === null || ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split && start !== 0 && end !== text.length) this.writeIndent()
          else this.write(text.slice(start, end).join(''))
          start = end
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          if (text[start] === '\n') this.writeLineBreak()
          for (const br of text.slice(start, end)) this.writeLineBreak(br === '\n' ? undefined : br)
          this.writeIndent()
          start = end
        }
      } else if (ch === null || ` ${BREAKS}`.includes(ch) || ch === "'") {
        if (start < end) {
          this.write(text.slice(start, end).join(''))
          start = end
        }
      }
      if (ch === "'") {
        this.write("''")
        start = end + 1
      }
      if (ch !== null) {
        spaces = ch === ' '
        breaks = BREAKS.includes(ch)
      }
      end++
    }
    this.writeIndicator("'", false)
  }

  /** libyaml's double-quoted writer: folds at a single space past the width, escapes the rest. */
  private writeDoubleQuoted(scalar: string, split: boolean): void {
    const text = Array.from(scalar)
    this.writeIndicator('"', true)
    let spaces = false
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!
      const code = ch.codePointAt(0)!
      if (!isPrintable(ch) || (!this.options.allowUnicode && code > 0x7f) || code === 0xfeff || BREAKS.includes(ch) || ch === '"' || ch === '\\') {
        let data: string
        if (Object.hasOwn(ESCAPES, ch)) data = `\\${ESCAPES[ch]}`
        else if (code <= 0xff) data = `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
        else if (code <= 0xffff) data = `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`
        else data = `\\U${code.toString(16).toUpperCase().padStart(8, '0')}`
        this.write(data)
        spaces = false
      } else if (ch === ' ') {
        if (split && !spaces && this.column > this.bestWidth && i !== 0 && i !== text.length - 1) {
          this.writeIndent()
          if (text[i + 1] === ' ') this.write('\\')
        } else this.write(ch)
        spaces = true
      } else {
        this.write(ch)
        spaces = false
      }
    }
    this.writeIndicator('"', false)
  }

  private writePlain(scalar: string, split: boolean): void {
    if (scalar === '') return
    const text = Array.from(scalar)
    if (!this.whitespace) this.write(' ')
    this.whitespace = false
    this.indention = false
    let spaces = false
    let breaks = false
    let start = 0
    let end = 0
    while (end <= text.length) {
      const ch = end < text.length ? text[end]! : null
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column > this.bestWidth && split) {
            this.writeIndent()
            this.whitespace = false
            this.indention = false
          } else this.write(text.slice(start, end).join(''))
          start = end
        }
      } else if (breaks) {
        if (ch === null || !BREAKS.includes(ch)) {
          if (text[start] === '\n') this.writeLineBreak()
          for (const br of text.slice(start, end)) this.writeLineBreak(br === '\n' ? undefined : br)
          this.writeIndent()
          this.whitespace = false
          this.indention = false
          start = end
        }
      } else if (ch === null || ` ${BREAKS}`.includes(ch)) {
        this.write(text.slice(start, end).join(''))
        start = end
      }
      if (ch !== null) {
        spaces = ch === ' '
        breaks = BREAKS.includes(ch)
      }
      end++
    }
  }
}
