import { ConfigError, type Diagnostic } from '../errors.js'
import { Authored } from './authored.js'
import { filters, MandatoryError, tests, truthy } from './filters.js'
import type { SourceRef, Vars } from './model.js'
import { closedEnvironment, withScope } from './sandbox.js'
import { refusedConstruct } from './template-closed.js'
import { expressionTemplate, isTemplate, parseTemplate, variablesOf, type AstNode } from './template-vars.js'

/**
 * Jinja templates through nunjucks, closed (sandbox.ts): a template reads plain data and calls
 * only tend's filters, tests and functions. A string is rendered only when it is authored text;
 * the values it reads, and what it produces, are data and never rendered again.
 */
// Rendering is synchronous, so one slot is enough to carry an expression's native value out.
let captured: { value: unknown } | undefined
/** The closed environment's filters (a null-prototype table, as the environment holds them). */
const filterTable = Object.assign(Object.create(null) as Record<string, unknown>, {
  ...filters,
  __tend_capture: (value: unknown) => {
    captured = { value }
    return ''
  },
})
// Made on the first render: nunjucks loads only when something is templated (nunjucks-lazy.ts).
let env: ReturnType<typeof closedEnvironment> | undefined
const environment = (): ReturnType<typeof closedEnvironment> => (env ??= closedEnvironment(filterTable, tests))

/** Whether tend's template language has this filter or test (the closed environment's own tables). */
export function hasTemplateFeature(kind: 'filter' | 'test', name: string): boolean {
  return Object.hasOwn(kind === 'filter' ? filterTable : tests, name)
}

/** Why tend refuses a parsed template (a construct, filter, test or call outside its language), if it does. */
export function refusal(root: AstNode): string | undefined {
  return refusedConstruct(root, filterTable, tests)
}

/** Parsed templates, by text: a task's templates are rendered once per host. */
const parsed = new Map<string, AstNode>()
function parse(text: string): AstNode {
  const cached = parsed.get(text)
  if (cached) return cached
  const root = parseTemplate(text)
  if (parsed.size > 5000) parsed.clear()
  parsed.set(text, root)
  return root
}

/** The message nunjucks wraps an error in, without its "(unknown path) [Line 1, Column 3]" preamble. */
function cleanMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error)
  return message
    .replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '')
    .replace(/^\s*(Template render error:|Error:)\s*/, '')
    .replace(/\n\s*/g, ' ')
    .trim()
}

function templateError(where: SourceRef, message: string, hint?: string): ConfigError {
  const diagnostic: Diagnostic = { ...where, message, ...(hint ? { hint } : {}) }
  return new ConfigError([diagnostic])
}

const own = (vars: Vars, name: string): boolean => Object.prototype.hasOwnProperty.call(vars, name)

function checkTemplate(text: string, vars: Vars, where: SourceRef, shown: string): void {
  let root: AstNode
  try {
    root = parse(text)
  } catch (error) {
    throw templateError(where, `template syntax error in \`${shown}\`: ${cleanMessage(error)}`)
  }
  const refused = refusal(root)
  if (refused !== undefined) throw templateError(where, `${refused}, in \`${shown}\``)
  const missing = variablesOf(root).find((name) => !own(vars, name))
  if (missing !== undefined) {
    throw templateError(
      where,
      `undefined variable \`${missing}\` in \`${shown}\``,
      'Define it in the play/task `vars`, the inventory, vars_files or with -e; or use `| default(...)`.',
    )
  }
}

/** Per variables object: the declared variables already rendered there, and those being rendered. */
const renderedIn = new WeakMap<Vars, Map<string, unknown>>()
const renderingIn = new WeakMap<Vars, Set<string>>()

/**
 * A variable as a template sees it. A declared one is rendered here from its authored text, once
 * per variables object; its result is data from then on. Everything else is returned as it is.
 */
export function variableOf(vars: Vars, name: string): unknown {
  if (!own(vars, name)) return undefined
  const value = vars[name]
  if (!(value instanceof Authored)) return value
  const done = renderedIn.get(vars) ?? new Map<string, unknown>()
  renderedIn.set(vars, done)
  if (done.has(name)) return done.get(name)
  const busy = renderingIn.get(vars) ?? new Set<string>()
  renderingIn.set(vars, busy)
  if (busy.has(name)) throw templateError(value.where, `variable \`${name}\` refers to itself`, 'A variable cannot be defined in terms of itself.')
  busy.add(name)
  try {
    const result = renderValue(value.source, vars, value.where)
    done.set(name, result)
    return result
  } finally {
    busy.delete(name)
  }
}

/** `shown` is the text as the user wrote it, for messages. */
function render(text: string, vars: Vars, where: SourceRef, shown = text): string {
  checkTemplate(text, vars, where, shown)
  try {
    return withScope((name) => variableOf(vars, name), () => environment().renderString(text, {}))
  } catch (error) {
    if (error instanceof ConfigError) throw error
    if (error instanceof MandatoryError || (error as Error).message?.includes('Mandatory')) {
      throw templateError(where, `${cleanMessage(error)} in \`${shown}\``)
    }
    const message = cleanMessage(error)
    const hint = message.includes('null or undefined')
      ? 'An attribute or key in this expression does not exist; guard it with `is defined` or `| default(...)`.'
      : undefined
    throw templateError(where, `cannot render \`${shown}\`: ${message}`, hint)
  }
}

/** Evaluates a bare Jinja expression to its native value (number, list, mapping, …). */
export function evaluateExpression(expr: string, vars: Vars, where: SourceRef): unknown {
  const outer = captured
  captured = undefined
  let result: { value: unknown } | undefined
  try {
    render(expressionTemplate(expr), vars, where, expr)
    result = captured as { value: unknown } | undefined
  } finally {
    captured = outer
  }
  if (result === undefined) throw templateError(where, `cannot evaluate \`${expr}\``)
  return result.value
}

/** `{{ expr }}` alone (whitespace around allowed): its value keeps its type, as Ansible's does. */
const SINGLE_EXPRESSION = /^\s*\{\{((?:(?!\}\}|\{\{)[\s\S])*)\}\}\s*$/

/**
 * Renders authored text: a playbook's or inventory's value, a template file. Never call it on a
 * value read from a host or produced by a template (that would render data as code).
 */
export function renderValue(value: unknown, vars: Vars, where: SourceRef): unknown {
  if (value instanceof Authored) return renderValue(value.source, vars, value.where)
  if (typeof value === 'string') {
    if (!isTemplate(value)) return value
    const single = SINGLE_EXPRESSION.exec(value)
    if (single?.[1] !== undefined) {
      const result = evaluateExpression(single[1].trim(), vars, where)
      if (result === undefined) {
        throw templateError(where, `\`${value}\` is undefined`, 'An attribute or key in this expression does not exist; guard it with `is defined` or `| default(...)`.')
      }
      return result
    }
    return render(value, vars, where)
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, vars, where))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, vars, where)]))
  }
  return value
}

/** Strips `{{ }}` some users put around `when:` (Ansible warns about it; we accept it). */
function bareExpression(expr: string): string {
  const single = SINGLE_EXPRESSION.exec(expr)
  return single?.[1] !== undefined ? single[1].trim() : expr
}

/** A `when:`/`until:`/`changed_when:`/`failed_when:` expression, with Jinja's truthiness. */
export function evaluateCondition(expr: string, vars: Vars, where: SourceRef): boolean {
  return truthy(evaluateExpression(bareExpression(expr), vars, where))
}
