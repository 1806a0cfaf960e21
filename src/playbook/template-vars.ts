import { nunjucks } from './nunjucks-lazy.js'

/** The part of nunjucks' AST we walk (nunjucks ships no types for its parser). */
export interface AstNode {
  readonly typename: string
  readonly fields?: readonly string[]
  readonly children?: readonly AstNode[]
  readonly value?: unknown
  readonly [field: string]: unknown
}

interface NunjucksParser {
  parse(src: string): AstNode
}

const parser = (): NunjucksParser => (nunjucks() as unknown as { parser: NunjucksParser }).parser

/** Names nunjucks provides itself; never user variables. */
const GLOBALS = new Set(['range', 'loop', 'true', 'false', 'none', 'True', 'False', 'None'])

/** Filters and tests that make an undefined operand legitimate. */
const UNDEFINED_SAFE_FILTERS = new Set(['default', 'd', 'mandatory'])
const UNDEFINED_SAFE_TESTS = new Set(['defined', 'undefined'])

export function isNode(value: unknown): value is AstNode {
  return value !== null && typeof value === 'object' && typeof (value as AstNode).typename === 'string'
}

/** Every child: node fields, list fields (a comparison's operands, a switch's cases) and children. */
export function childNodes(node: AstNode): AstNode[] {
  const out: AstNode[] = []
  for (const field of node.fields ?? []) {
    const value = node[field]
    if (isNode(value)) out.push(value)
    if (Array.isArray(value)) for (const item of value as unknown[]) if (isNode(item)) out.push(item)
  }
  for (const child of node.children ?? []) if (isNode(child)) out.push(child)
  return out
}

export function testName(node: AstNode): string | undefined {
  const right = node.right
  if (!isNode(right)) return undefined
  // nunjucks parses `none`, `true` and `false` as literals; it looks up tests `null`, `true`, `false`.
  if (right.typename === 'Symbol' || right.typename === 'Literal') return String(right.value)
  const name = right.name
  return isNode(name) ? String(name.value) : undefined
}

/** Names a template assigns itself ({% set %}, {% for %}, macro arguments). */
function boundNames(node: AstNode, into: Set<string>): void {
  if (node.typename === 'Set') for (const t of (node.targets as AstNode[] | undefined) ?? []) into.add(String(t.value))
  if (node.typename === 'For' || node.typename === 'AsyncEach' || node.typename === 'AsyncAll') {
    const name = node.name
    if (isNode(name)) {
      if (name.typename === 'Symbol') into.add(String(name.value))
      for (const c of name.children ?? []) into.add(String(c.value))
    }
  }
  if (node.typename === 'Macro') {
    const args = node.args
    if (isNode(args)) for (const a of args.children ?? []) if (a.typename === 'Symbol') into.add(String(a.value))
  }
  for (const child of childNodes(node)) boundNames(child, into)
}

function freeNames(node: AstNode, out: Set<string>): void {
  if (node.typename === 'Symbol') {
    out.add(String(node.value))
    return
  }
  if (node.typename === 'Is' && UNDEFINED_SAFE_TESTS.has(testName(node) ?? '')) return
  if (node.typename === 'Filter' && isNode(node.name) && UNDEFINED_SAFE_FILTERS.has(String(node.name.value))) {
    const args = isNode(node.args) ? node.args.children ?? [] : []
    for (const arg of args.slice(1)) freeNames(arg, out)
    return
  }
  if (node.typename === 'Filter' || node.typename === 'FunCall') {
    // A filter's or function's own name is not a variable (`range(3)`, `x | lower`).
    if (node.typename === 'FunCall' && isNode(node.name) && node.name.typename !== 'Symbol') freeNames(node.name, out)
    if (isNode(node.args)) freeNames(node.args, out)
    return
  }
  if (node.typename === 'Is') {
    if (isNode(node.left)) freeNames(node.left, out)
    return
  }
  if (node.typename === 'Pair' && isNode(node.key) && node.key.typename === 'Symbol') {
    // `{a: 1}` keys written bare are strings, not variables.
    if (isNode(node.value)) freeNames(node.value, out)
    return
  }
  if (node.typename === 'KeywordArgs') {
    for (const pair of node.children ?? []) if (isNode(pair.value)) freeNames(pair.value, out)
    return
  }
  for (const child of childNodes(node)) freeNames(child, out)
}

export function parseTemplate(text: string): AstNode {
  return parser().parse(text)
}

/**
 * Top-level variable names a template reads and that must be defined: `{{ a.b | default(c) }}`
 * gives `c` only; `x is defined` and names set inside the template are not counted.
 * Throws nunjucks' syntax error as is.
 */
export function variablesOf(text: string | AstNode): string[] {
  const root = typeof text === 'string' ? parseTemplate(text) : text
  const used = new Set<string>()
  const bound = new Set<string>()
  freeNames(root, used)
  boundNames(root, bound)
  return [...used].filter((name) => !bound.has(name) && !GLOBALS.has(name))
}

/** Whether a string holds Jinja syntax at all (plain strings are never rendered). */
export function isTemplate(value: unknown): value is string {
  return typeof value === 'string' && (value.includes('{{') || value.includes('{%') || value.includes('{#'))
}

/** A bare expression (`when:`) as a template whose single output is the expression's value. */
export function expressionTemplate(expr: string): string {
  return `{{ (${expr}) | __tend_capture }}`
}
