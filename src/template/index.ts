/**
 * tend's Jinja: parse once (cached), check names statically, render by interpretation.
 * This is the template layer's whole surface; it depends on nothing above it (errors only).
 */
import { ConfigError } from '../errors.js'
import type { Expr, Template } from './ast.js'
import type { CallableTable, RenderServices } from './callable.js'
import { TemplateError } from './errors.js'
import { callableName, Renderer, type Environment, type Limits } from './evaluate.js'
import { filters } from './filters/index.js'
import { globals } from './globals.js'
import type { WhitespaceOptions } from './lexer.js'
import { methodOf } from './methods.js'
import { DEFAULT_WHITESPACE, parse, parseExpression } from './parser.js'
import { tests } from './tests.js'
import { plain, Undefined } from './values.js'

export type { Template, Expr } from './ast.js'
export type { RenderServices } from './callable.js'
export { TemplateError } from './errors.js'
export { freeVariables, callablesUsed, includesUsed } from './names.js'
import { callablesUsed } from './names.js'
export { truthy, Undefined } from './values.js'
export { readControllerText, ControllerFileError } from './controller-file.js'

export const environment: Environment = { filters, tests, globals, methodOf }

export interface TemplateOrigin {
  readonly file: string
  /** 1-based line of the text's first character in `file`; 0 when the text is the whole file. */
  readonly line: number
  readonly column: number
}

const templates = new Map<string, Template>()
const expressions = new Map<string, Expr>()

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  const hit = cache.get(key)
  if (hit !== undefined) return hit
  const value = make()
  if (cache.size > 5000) cache.clear()
  cache.set(key, value)
  return value
}

const wsKey = (ws: WhitespaceOptions): string => `${ws.trimBlocks ? 1 : 0}${ws.lstripBlocks ? 1 : 0}${ws.literalBackslashes ? 1 : 0}${ws.keepTrailingNewline ? 1 : 0}${JSON.stringify(ws.newlineSequence)}`

/** Parses template text (throws TemplateError with an offset). */
export function parseTemplate(text: string, ws: WhitespaceOptions = DEFAULT_WHITESPACE): Template {
  return cached(templates, `${wsKey(ws)}\0${text}`, () => known(parse(text, ws)))
}

/**
 * A template naming a filter or test tend does not have fails to parse, as in Jinja (also in a
 * branch that never runs): it is found by `tend validate`, never by the first host.
 */
function known<T extends Template | Expr>(root: T): T {
  for (const use of callablesUsed(root)) {
    if (use.kind === 'call') continue
    if (!hasCallable(use.kind, use.name)) throw new TemplateError(`unknown ${use.kind} \`${use.name}\``, { offset: use.at })
  }
  return root
}

/** A bare expression; `literalBackslashes` when it stands in `{{ }}` of playbook text (Ansible's escape_backslashes). */
export function parseBareExpression(text: string, literalBackslashes = false): Expr {
  return cached(expressions, `${literalBackslashes ? 1 : 0}${text}`, () => known(parseExpression(text, literalBackslashes)))
}

/** Line and column (1-based) of an offset in a text. */
export function positionIn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text[i] === '\n') {
      line += 1
      lineStart = i + 1
    }
  }
  return { line, column: offset - lineStart + 1 }
}

/** The authored position of an offset inside a template that starts at `origin`. */
export function placeIn(origin: TemplateOrigin, text: string, offset: number | undefined): { file: string; line: number; column: number } {
  // Inside a YAML value the text was unquoted and unfolded: its offsets do not map back to columns
  // reliably, so a value's errors point at the value (load-time checks point inside: tasks.ts).
  if (offset === undefined || origin.line !== 0) return { file: origin.file, line: origin.line, column: origin.column }
  return { file: origin.file, ...positionIn(text, offset) }
}

/** A TemplateError as tend's ConfigError, placed at file:line:column. */
export function configError(error: TemplateError, origin: TemplateOrigin, text: string, shown = text): ConfigError {
  const where = placeIn(origin, text, error.detail.offset)
  const hint = error.detail.hint ?? (error.detail.undefinedName !== undefined
    ? 'Define it in the play/task `vars`, the inventory, vars_files or with -e; or use `| default(...)` or `is defined`.'
    : undefined)
  const snippet = shown.length > 200 ? `${shown.slice(0, 200)}…` : shown
  return new ConfigError([{ ...where, message: `${error.message} in \`${snippet}\``, ...(hint ? { hint } : {}) }])
}

export interface RenderInput {
  /** A variable by name; JavaScript undefined when there is none. */
  readonly resolve: (name: string) => unknown
  readonly services?: RenderServices
  readonly limits?: Limits
  readonly include?: (name: string) => { readonly template: Template; readonly key: string }
  readonly includeStack?: readonly string[]
}

/** Renders a parsed template to text. */
export function renderTemplate(template: Template, input: RenderInput): string {
  return new Renderer({ env: environment, ...input }).render(template)
}

/** Evaluates a parsed expression to its native value (integral floats as plain numbers). */
export function evaluateParsed(expr: Expr, input: RenderInput): unknown {
  const value = new Renderer({ env: environment, ...input }).evaluate(expr)
  if (value instanceof Undefined) return value
  const inside = undefinedWithin(value)
  if (inside !== undefined) throw new TemplateError(inside.message(), { undefinedName: inside.name })
  return plain(value)
}

/** An undefined value inside a list or dict result (Ansible fails when it finalizes one). */
function undefinedWithin(value: unknown, depth = 0): Undefined | undefined {
  if (value instanceof Undefined) return value
  if (depth > 100) return undefined
  const items = Array.isArray(value) ? value : value !== null && typeof value === 'object' && !(value instanceof Undefined) ? Object.values(value) : []
  for (const item of items) {
    const found = undefinedWithin(item, depth + 1)
    if (found !== undefined) return found
  }
  return undefined
}

const HEADER = '#jinja2:'

/** Ansible's `#jinja2: trim_blocks: False, lstrip_blocks: True` first line. */
export function templateHeader(text: string): { body: string; options: WhitespaceOptions & { keepTrailingNewline: boolean } } | { error: string } {
  const options = { trimBlocks: true, lstripBlocks: false, newlineSequence: '\n', keepTrailingNewline: false }
  if (!text.startsWith(HEADER)) return { body: text, options }
  const eol = text.indexOf('\n')
  const line = text.slice(HEADER.length, eol === -1 ? undefined : eol)
  const body = eol === -1 ? '' : text.slice(eol + 1)
  for (const pair of line.split(',')) {
    const colon = pair.indexOf(':')
    if (colon === -1) return { error: `failed to parse jinja2 override '${pair.trim()}': use key: value pairs separated by commas` }
    const key = pair.slice(0, colon).trim()
    const raw = pair.slice(colon + 1).trim()
    const value = pythonLiteral(raw)
    if (value === undefined) return { error: `jinja2 override '${key}' has a value tend cannot read: ${raw}` }
    // Ansible sets the attribute to the literal as it is: Jinja then reads it for truth.
    const truth = value === true || (typeof value === 'string' && value !== '') || (typeof value === 'number' && value !== 0)
    if (key === 'trim_blocks') options.trimBlocks = truth
    else if (key === 'lstrip_blocks') options.lstripBlocks = truth
    else if (key === 'keep_trailing_newline') options.keepTrailingNewline = truth
    else if (key === 'newline_sequence' && typeof value === 'string' && ['\n', '\r\n', '\r'].includes(value)) options.newlineSequence = value
    else return { error: `jinja2 override '${key}: ${raw}' is not supported (tend reads trim_blocks, lstrip_blocks, keep_trailing_newline, newline_sequence)` }
  }
  return { body, options }
}

/** The Python literals a `#jinja2:` header uses (ast.literal_eval): booleans, None, strings, ints. */
function pythonLiteral(raw: string): boolean | null | string | number | undefined {
  if (raw === 'True') return true
  if (raw === 'False') return false
  if (raw === 'None') return null
  if (/^-?\d+$/.test(raw)) return Number(raw)
  const quoted = /^(['"])(.*)\1$/s.exec(raw)
  if (quoted === null) return undefined
  return (quoted[2] ?? '').replace(/\\(n|r|t|\\|'|")/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t' } as Record<string, string>)[c] ?? c)
}

const trailingNewlines = (text: string): number => text.length - text.replace(/\n+$/, '').length

/** A template file parsed as the template module parses it (header applied). */
export function parseTemplateFile(text: string, origin: TemplateOrigin): { template: Template; keepTrailingNewline: boolean; newlineSequence: string; bodyOffsetLines: number } {
  const header = templateHeader(text)
  if ('error' in header) throw new ConfigError([{ file: origin.file, line: 1, column: 1, message: header.error }])
  const bodyOffsetLines = header.body === text ? 0 : 1
  try {
    const template = parseTemplate(header.body, header.options)
    return { template, keepTrailingNewline: header.options.keepTrailingNewline, newlineSequence: header.options.newlineSequence, bodyOffsetLines }
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    const at = positionIn(header.body, error.detail.offset ?? 0)
    const message = error.message.startsWith('unknown ') ? error.message : `template syntax error: ${error.message}`
    const line = at.line + bodyOffsetLines
    throw new ConfigError([{ file: origin.file, line, column: at.column, message, sourceLine: text.split('\n')[line - 1] ?? '' }])
  }
}

/**
 * Renders a template file as Ansible's `template` module does: trim_blocks on, the header's
 * overrides, and as many trailing newlines as the source had.
 */
export function renderTemplateFile(text: string, vars: Readonly<Record<string, unknown>>, origin: { file: string }, input: Partial<RenderInput> = {}): string {
  const place = { file: origin.file, line: 0, column: 0 }
  const parsed = parseTemplateFile(text, place)
  const resolve = input.resolve ?? ((name: string) => (Object.hasOwn(vars, name) ? vars[name] : undefined))
  let out: string
  try {
    out = renderTemplate(parsed.template, { ...input, resolve })
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    const header = templateHeader(text)
    const body = 'error' in header ? text : header.body
    const at = positionIn(body, error.detail.offset ?? 0)
    const line = error.detail.offset === undefined ? 0 : at.line + parsed.bodyOffsetLines
    const hint = error.detail.hint ?? (error.detail.undefinedName !== undefined ? 'Define the variable, or guard it with `is defined` or `| default(...)`.' : undefined)
    const sourceLine = line ? { sourceLine: text.split('\n')[line - 1] ?? '' } : {}
    throw new ConfigError([{ file: origin.file, line, column: line ? at.column : 0, message: error.message, ...sourceLine, ...(hint ? { hint } : {}) }])
  }
  // Ansible tops up trailing newlines after Jinja, keep_trailing_newline or not.
  const missing = trailingNewlines(text) - trailingNewlines(out)
  return missing > 0 ? out + parsed.newlineSequence.repeat(missing) : out
}

/** A bare expression over plain variables (the parity harness and tools use this). */
export function evaluateExpression(expr: string, vars: Readonly<Record<string, unknown>>, where: TemplateOrigin): unknown {
  try {
    const value = evaluateParsed(parseBareExpression(expr), { resolve: (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined) })
    if (value instanceof Undefined) throw new TemplateError(value.message(), { undefinedName: value.name })
    return value
  } catch (error) {
    if (error instanceof TemplateError) throw configError(error, where, expr)
    throw error
  }
}

/** Whether tend has this filter or test (FQCN `ansible.builtin.x` included). */
export function hasCallable(kind: 'filter' | 'test', name: string): boolean {
  const table: CallableTable = kind === 'filter' ? filters : tests
  return Object.hasOwn(table, callableName(name))
}
