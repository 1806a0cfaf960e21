import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type ScalarTag, type Tags } from 'yaml'
import type { Diagnostic } from '../errors.js'
import type { SourceRef } from './model.js'
import { readInput, readInputSync } from './input-file.js'

/** One parsed YAML file with what is needed to point diagnostics at its lines. */
export interface YamlSource {
  readonly file: string
  readonly lines: readonly string[]
  readonly doc: Document
  readonly lineCounter: LineCounter
}

export type Path = readonly (string | number)[]

export interface ParsedYaml {
  readonly source: YamlSource
  readonly value: unknown
  readonly diagnostics: readonly Diagnostic[]
  /** False after a syntax error: the parsed value may not be what the author meant. */
  readonly trusted: boolean
}

/**
 * A UTF-8 byte order mark at the start of a file is dropped: editors on Windows write one, and
 * PyYAML (Ansible's reader) skips it. Left in, it is either a syntax error (`\uFEFF- hosts`) or,
 * worse, part of the first key (a group named `\uFEFFall`).
 */
export function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

export function parseYaml(file: string, written: string): ParsedYaml {
  const text = withoutBom(written)
  const lineCounter = new LineCounter()
  // prettyErrors off: we render positions ourselves, with the source line and a caret.
  // YAML 1.1, as Ansible reads it: `become: yes` is a boolean in existing playbooks.
  let doc: Document
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.1', customTags: pyyamlBooleans })
  } catch (error) {
    if (!(error instanceof RangeError)) throw error
    const empty = parseDocument('')
    const source: YamlSource = { file, lines: text.split(/\r?\n/), doc: empty, lineCounter: new LineCounter() }
    return { source, value: undefined, diagnostics: [{ file, line: 0, column: 0, message: `nested too deeply to read (more than the YAML reader's stack holds)`, hint: NESTING_HINT }], trusted: false }
  }
  const source: YamlSource = { file, lines: text.split(/\r?\n/), doc, lineCounter }
  const deep = tooDeep(doc.contents)
  if (deep !== undefined) {
    return { source, value: undefined, diagnostics: [diagnosticAt(source, deep, `nested more than ${MAX_NESTING} levels deep`, NESTING_HINT)], trusted: false }
  }
  const diagnostics = [...doc.errors, ...doc.warnings].map((e) => {
    const opener = /end with an? ([\]}])/.exec(e.message)
    const offset = opener?.[1] ? unclosedBefore(text, e.pos[0], opener[1] === ']' ? '[' : '{') ?? e.pos[0] : e.pos[0]
    const message = opener ? `unclosed \`${opener[1] === ']' ? '[' : '{'}\`: ${e.message}` : e.message
    return diagnosticAt(source, offset, message, yamlHint(e.code))
  })
  let value: unknown
  let converted = true
  try {
    value = doc.toJS({ maxAliasCount: 1000 })
  } catch (error) {
    // An alias bomb (billion laughs) stops here, before it expands: nothing else is checked.
    value = undefined
    converted = false
    if (diagnostics.length === 0) diagnostics.push(diagnosticAt(source, 0, (error as Error).message, 'YAML aliases (`*name`) may expand to at most 1000 nodes in one file.'))
  }
  // Past a syntax error the tree is a guess: schema checks on it would only add noise. A
  // duplicate key leaves the tree intact, so those files are still checked.
  const trusted = converted && doc.errors.every((e) => e.code === 'DUPLICATE_KEY')
  return { source, value, diagnostics, trusted }
}

/**
 * How deep collections may nest in one file. Every later step (conversion, schema checks,
 * templates) walks the tree recursively; 3,000 levels overflowed the stack. No playbook, inventory
 * or vars file needs more than a few dozen.
 */
export const MAX_NESTING = 200
const NESTING_HINT = `Mappings and lists may nest at most ${MAX_NESTING} levels deep.`

/** The offset of the first node nested deeper than MAX_NESTING, found without recursion. */
function tooDeep(root: unknown): number | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }]
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!
    if (!isMap(node) && !isSeq(node)) continue
    if (depth > MAX_NESTING) return node.range?.[0] ?? 0
    for (const item of node.items) {
      if (isPair(item)) stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 })
      else stack.push({ node: item, depth: depth + 1 })
    }
  }
  return undefined
}

/**
 * YAML 1.1 as PyYAML (Ansible's reader) resolves booleans: yes/no, true/false, on/off. The yaml
 * package's 1.1 schema also takes `y`/`n`, which would turn `with_dict: {x: 1, y: 2}` or a host
 * var `n: 3` into booleans that Ansible reads as strings.
 */
function pyyamlBooleans(tags: Tags): Tags {
  return tags.map((tag) => {
    if (typeof tag !== 'object' || tag.tag !== 'tag:yaml.org,2002:bool' || !(tag.test instanceof RegExp)) return tag
    return { ...tag, test: new RegExp(tag.test.source.replace(/^\^\(\?:[YN]\|[yn]\|/, '^(?:')) } as ScalarTag
  })
}

/** Where the flow collection still open at `end` was opened (YAML reports where it gave up). */
function unclosedBefore(text: string, end: number, open: '[' | '{'): number | undefined {
  const close = open === '[' ? ']' : '}'
  const stack: number[] = []
  let quote: string | undefined
  for (let i = 0; i < end; i++) {
    const c = text[i]
    if (quote) {
      if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) i = text.indexOf('\n', i) < 0 ? end : text.indexOf('\n', i)
    else if (c === open) stack.push(i)
    else if (c === close) stack.pop()
  }
  return stack.at(-1)
}

/** Reads and parses a YAML file; a missing or unreadable file is one diagnostic. */
export async function readYaml(file: string, from?: Diagnostic): Promise<ParsedYaml | Diagnostic> {
  try {
    return parseYaml(file, await readInput(file))
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message
    return from ? { ...from, message: `${from.message}: ${reason}` } : { file, line: 0, column: 0, message: reason }
  }
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces, not tabs.'
    case 'DUPLICATE_KEY':
      return 'Each key may appear once per mapping; the second one would silently replace the first.'
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'Check the indentation and the `key: value` spacing of this line and the one above.'
    default:
      return undefined
  }
}

export function refAt(source: YamlSource, offset: number): SourceRef {
  const { line, col } = source.lineCounter.linePos(offset)
  return { file: source.file, line, column: col }
}

export function diagnosticAt(source: YamlSource, offset: number, message: string, hint?: string): Diagnostic {
  const ref = refAt(source, offset)
  const sourceLine = source.lines[ref.line - 1]
  return { ...ref, message, ...(hint ? { hint } : {}), ...(sourceLine !== undefined ? { sourceLine } : {}) }
}

export function diagnosticAtRef(source: YamlSource, ref: SourceRef, message: string, hint?: string): Diagnostic {
  const sourceLine = source.lines[ref.line - 1]
  return { ...ref, message, ...(hint ? { hint } : {}), ...(sourceLine !== undefined ? { sourceLine } : {}) }
}

function childOf(node: unknown, segment: string | number): { node: unknown; keyOffset?: number } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && String(isScalar(p.key) ? p.key.value : p.key) === String(segment))
    if (!pair) return undefined
    const keyOffset = (pair.key as Node | null)?.range?.[0]
    return { node: pair.value, ...(keyOffset !== undefined ? { keyOffset } : {}) }
  }
  if (isSeq(node) && typeof segment === 'number') return { node: node.items[segment] }
  return undefined
}

/**
 * Offset of the node at `path` (or of its key, with `atKey`). When the path leads nowhere
 * (a missing value), the deepest node found on the way stands in.
 */
export function offsetOf(source: YamlSource, path: Path, atKey = false): number {
  let node: unknown = source.doc.contents
  let offset = (node as Node | null)?.range?.[0] ?? 0
  for (const [i, segment] of path.entries()) {
    const child = childOf(node, segment)
    if (!child) return offset
    const last = i === path.length - 1
    if (last && atKey && child.keyOffset !== undefined) return child.keyOffset
    const range = (child.node as Node | null)?.range
    // `key:` with no value has a null node: point at the key instead.
    offset = range ? range[0] : child.keyOffset ?? offset
    node = child.node
  }
  return offset
}

export function refOf(source: YamlSource, path: Path, atKey = false): SourceRef {
  return refAt(source, offsetOf(source, path, atKey))
}

/** Splits an ajv instancePath (JSON Pointer) into segments; array indexes become numbers. */
export function pointerToPath(pointer: string, value: unknown): Path {
  if (pointer === '') return []
  const path: (string | number)[] = []
  let current: unknown = value
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~')
    const next = Array.isArray(current) ? Number(segment) : segment
    path.push(next)
    current = current === null || typeof current !== 'object' ? undefined : (current as Record<string, unknown>)[segment]
  }
  return path
}

const fileLines = new Map<string, readonly string[]>()

/** Adds the offending source line to a diagnostic made without the YAML at hand. */
export function withSourceLine(d: Diagnostic): Diagnostic {
  if (d.sourceLine !== undefined || d.line <= 0) return d
  let lines = fileLines.get(d.file)
  if (!lines) {
    try {
      lines = withoutBom(readInputSync(d.file)).split(/\r?\n/)
    } catch {
      lines = []
    }
    fileLines.set(d.file, lines)
  }
  const sourceLine = lines[d.line - 1]
  return sourceLine === undefined ? d : { ...d, sourceLine }
}
