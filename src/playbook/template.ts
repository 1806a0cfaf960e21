import nunjucks from 'nunjucks'
import { ConfigError, type Diagnostic } from '../errors.js'
import { filters, MandatoryError, tests, truthy } from './filters.js'
import type { SourceRef, Vars } from './model.js'
import { expressionTemplate, isTemplate, variablesOf } from './template-vars.js'

/**
 * Jinja templates through nunjucks, with Ansible's filters and tests. No filesystem loader: a
 * user's string can only read the variables it is given. Nothing user-written is ever `eval`ed.
 */
export function createEnvironment(loader?: nunjucks.ILoader): nunjucks.Environment {
  const env = new nunjucks.Environment(loader ?? null, { autoescape: false, throwOnUndefined: true })
  for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter as (...args: unknown[]) => unknown)
  // @types/nunjucks lacks addTest, which nunjucks 3 has.
  const withTests = env as unknown as { addTest(name: string, test: (value: unknown) => boolean): void }
  for (const [name, test] of Object.entries(tests)) withTests.addTest(name, test)
  env.addFilter('__tend_capture', (value: unknown) => {
    captured = { value }
    return ''
  })
  return env
}

/**
 * nunjucks resolves `a.b` and `a[b]` on any JavaScript object, so `range.constructor("…")()`
 * would be the Function constructor: arbitrary code. Member lookups of these names yield
 * undefined instead. (Patched on nunjucks' shared runtime: every environment is covered.)
 */
const FORBIDDEN_MEMBERS = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__'])
const runtime = (nunjucks as unknown as { runtime: { memberLookup: (obj: unknown, key: unknown) => unknown } }).runtime
const memberLookup = runtime.memberLookup
runtime.memberLookup = (obj, key) => (FORBIDDEN_MEMBERS.has(String(key)) ? undefined : memberLookup(obj, key))

const env = createEnvironment()
// Rendering is synchronous, so one slot is enough to carry an expression's native value out.
let captured: { value: unknown } | undefined

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

function checkDefined(text: string, vars: Vars, where: SourceRef, shown: string): void {
  let names: string[]
  try {
    names = variablesOf(text)
  } catch (error) {
    throw templateError(where, `template syntax error in \`${shown}\`: ${cleanMessage(error)}`)
  }
  const missing = names.find((name) => !(name in vars))
  if (missing !== undefined) {
    throw templateError(
      where,
      `undefined variable \`${missing}\` in \`${shown}\``,
      'Define it in the play/task `vars`, the inventory, vars_files or with -e; or use `| default(...)`.',
    )
  }
}

/** `shown` is the text as the user wrote it, for messages. */
function render(text: string, vars: Vars, where: SourceRef, shown = text): string {
  checkDefined(text, vars, where, shown)
  try {
    return env.renderString(text, { ...vars })
  } catch (error) {
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
  captured = undefined
  render(expressionTemplate(expr), vars, where, expr)
  const result = captured as { value: unknown } | undefined
  captured = undefined
  if (result === undefined) throw templateError(where, `cannot evaluate \`${expr}\``)
  return result.value
}

/** `{{ expr }}` alone (whitespace around allowed): its value keeps its type, as Ansible's does. */
const SINGLE_EXPRESSION = /^\s*\{\{((?:(?!\}\}|\{\{)[\s\S])*)\}\}\s*$/

export function renderValue(value: unknown, vars: Vars, where: SourceRef): unknown {
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
