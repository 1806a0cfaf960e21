import { resolve } from 'node:path'
import { ConfigError, type Diagnostic } from '../errors.js'
import {
  callablesUsed, configError, ControllerFileError, readControllerText, environment, evaluateParsed, freeVariables, hasCallable, parseBareExpression, parseTemplate,
  renderTemplateFile, TemplateError, truthy, Undefined, renderTemplate, type Expr, type RenderServices, type Template,
} from './index.js'
import { boundNames, namesRead } from './names.js'
import { Authored } from './authored.js'
import type { SourceRef, Vars } from '../source.js'

/**
 * The playbook language's templates: authored text rendered by tend's Jinja interpreter
 * (src/template/), with Ansible's settings for playbook strings. A string is rendered only when
 * it is authored text; the values it reads, and what it produces, are data, never rendered again.
 */

/** Playbook strings render as Ansible's Templar does: trim_blocks on, nothing stripped on the left. */
const PLAYBOOK_WHITESPACE = { trimBlocks: true, lstripBlocks: false, newlineSequence: '\n', literalBackslashes: true } as const

/**
 * On a variables object: the names whose values came from a host (registered results, facts,
 * set_fact of those). A symbol key, so no template can read or forge it; object spread copies it.
 */
export const HOST_DATA: unique symbol = Symbol('tend.hostData')

export type TaintedVars = Vars & { [HOST_DATA]?: ReadonlySet<string> }

/** Whether a string holds Jinja syntax at all (plain strings are never rendered). */
export function isTemplate(value: unknown): value is string {
  return typeof value === 'string' && (value.includes('{{') || value.includes('{%') || value.includes('{#'))
}

const own = (vars: Vars, name: string): boolean => Object.prototype.hasOwnProperty.call(vars, name)

function templateError(where: SourceRef, message: string, hint?: string): ConfigError {
  const diagnostic: Diagnostic = { ...where, message, ...(hint ? { hint } : {}) }
  return new ConfigError([diagnostic])
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

/**
 * What a render of playbook text may do beyond reading its variables: Ansible's file, template,
 * env and vars lookups. Files are read relative to the playbook's directory; whether host data
 * chose the path was checked before rendering (refuseHostLookup).
 */
function servicesFor(vars: Vars): RenderServices {
  const base = typeof vars.playbook_dir === 'string' ? vars.playbook_dir : process.cwd()
  const read = (path: string, plugin: string): string => {
    const file = resolve(base, path)
    try {
      return readControllerText(file)
    } catch (error) {
      throw new TemplateError(`lookup('${plugin}') cannot read ${error instanceof ControllerFileError ? error.message : `${file}: ${String(error)}`}`)
    }
  }
  return {
    readControllerFile: read,
    renderTemplateText: (text, file) => renderTemplateFile(text, {}, { file }, { resolve: (name) => variableOf(vars, name) }),
    env: process.env,
    variable: (name) => variableOf(vars, name),
  }
}

function input(vars: Vars): Parameters<typeof renderTemplate>[1] {
  return { resolve: (name) => variableOf(vars, name), services: servicesFor(vars) }
}

const LOOKUP_CALL = /\b(lookup|query|q)\s*\(/

/** A lookup reads controller files: refused outright when the text also reads host data. */
function refuseHostLookup(text: string, vars: Vars, where: SourceRef): void {
  if (!LOOKUP_CALL.test(text)) return
  const name = hostDataRead(text.includes('{{') || text.includes('{%') ? text : `{{ ${text} }}`, vars)
  if (name === undefined) return
  throw templateError(where, `\`${text}\` calls a lookup and reads \`${name}\`, a value from the host; a host must not pick a controller file`, 'Look up files named in the playbook; keep host data out of lookup arguments.')
}

/** A template error as a diagnostic at the authored text, in tend's words. */
function failure(error: unknown, where: SourceRef, text: string): unknown {
  if (!(error instanceof TemplateError)) return error
  const name = error.detail.undefinedName
  if (name !== undefined && error.message === `'${name}' is undefined`) {
    return configError(new TemplateError(`undefined variable \`${name}\``, error.detail), where, text)
  }
  if (name !== undefined) return configError(new TemplateError(`${error.message}: \`${name}\` is undefined`, error.detail), where, text)
  if (error.message.startsWith('template syntax error') || error.message.startsWith('unknown ')) return configError(error, where, text)
  return configError(new TemplateError(`cannot render: ${error.message}`, error.detail), where, text)
}

const syntaxError = (error: unknown): unknown =>
  error instanceof TemplateError && !error.message.startsWith('unknown ') ? new TemplateError(`template syntax error: ${error.message}`, error.detail) : error

const trailingNewlines = (text: string): number => text.length - text.replace(/\n+$/, '').length

/**
 * Ansible doubles backslashes in string literals inside `{{ }}` of playbook text, so `'\d'`
 * means backslash-d there (and `\n` in a `{% %}` tag is still a newline). Done on the parsed
 * tokens by the lexer option; here only the text is chosen.
 */
function renderText(text: string, vars: Vars, where: SourceRef): string {
  refuseHostLookup(text, vars, where)
  let template: Template
  try {
    template = parseTemplate(text, PLAYBOOK_WHITESPACE)
  } catch (error) {
    throw failure(syntaxError(error), where, text)
  }
  let out: string
  try {
    out = renderTemplate(template, input(vars))
  } catch (error) {
    throw failure(error, where, text)
  }
  const missing = trailingNewlines(text) - trailingNewlines(out)
  return missing > 0 ? out + '\n'.repeat(missing) : out
}

function parsedExpression(expr: string, where: SourceRef, inBraces: boolean): Expr {
  try {
    return parseBareExpression(expr, inBraces)
  } catch (error) {
    throw failure(syntaxError(error), where, expr)
  }
}

/** Evaluates a bare Jinja expression to its native value (number, list, mapping, …). */
export function evaluateExpression(expr: string, vars: Vars, where: SourceRef, inBraces = false): unknown {
  const parsed = parsedExpression(expr, where, inBraces)
  refuseHostLookup(expr, vars, where)
  let value: unknown
  try {
    value = evaluateParsed(parsed, input(vars))
  } catch (error) {
    throw failure(error, where, expr)
  }
  if (value instanceof Undefined) throw failure(new TemplateError(value.message(), { undefinedName: value.name }), where, expr)
  return value
}

/** `{{ expr }}` alone (whitespace around allowed): its value keeps its type, as Ansible's does (see renderValue). */
const SINGLE_EXPRESSION = /^\s*\{\{((?:(?!\}\}|\{\{)[\s\S])*)\}\}\s*$/

/**
 * Renders authored text: a playbook's or inventory's value. Never call it on a value read from
 * a host or produced by a template (that would render data as code).
 */
export function renderValue(value: unknown, vars: Vars, where: SourceRef): unknown {
  if (value instanceof Authored) return renderValue(value.source, vars, value.where)
  if (typeof value === 'string') {
    if (!isTemplate(value)) return value
    const single = SINGLE_EXPRESSION.exec(value)
    if (single?.[1] !== undefined && !single[1].trimStart().startsWith('-') && !single[1].trimEnd().endsWith('-')) {
      const result = evaluateExpression(single[1].trim(), vars, where, true)
      // With text around it (`"{{ name }}\n"`), a scalar renders as text, whitespace kept; a list
      // or mapping keeps its type: Ansible reads the rendered text back as a literal then.
      const bare = value.startsWith('{{') && value.endsWith('}}')
      return bare || (result !== null && typeof result === 'object') ? result : renderText(value, vars, where)
    }
    return renderText(value, vars, where)
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

export interface TemplateCheck {
  /** Problems found without rendering: syntax, unknown filters/tests/functions, with offsets in `text`. */
  readonly problems: readonly { readonly message: string; readonly offset: number }[]
  /** Variables the text reads that must be defined (none when it does not parse). */
  readonly variables: readonly string[]
}

/** Checks authored template text (or a bare expression) without rendering it. */
export function checkTemplateText(text: string, expression: boolean): TemplateCheck {
  let root: Template | Expr
  try {
    root = expression ? parseBareExpression(bareExpression(text)) : parseTemplate(text, PLAYBOOK_WHITESPACE)
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error
    const message = error.message.startsWith('unknown ') ? error.message : `template syntax error: ${error.message}`
    return { problems: [{ message, offset: error.detail.offset ?? 0 }], variables: [] }
  }
  return { problems: unknownCallables(root), variables: freeVariables(root) }
}

/** Filters, tests and functions tend does not have, at their offsets. */
export function unknownCallables(root: Template | Expr): { message: string; offset: number }[] {
  const bound = 'body' in root ? boundNames(root) : new Set<string>()
  const out: { message: string; offset: number }[] = []
  for (const use of callablesUsed(root)) {
    if (use.kind === 'filter' && !hasCallable('filter', use.name)) out.push({ message: `unknown filter \`${use.name}\``, offset: use.at })
    if (use.kind === 'test' && !hasCallable('test', use.name)) out.push({ message: `unknown test \`${use.name}\``, offset: use.at })
    if (use.kind === 'call' && !Object.hasOwn(environment.globals, use.name) && !bound.has(use.name) && !['caller', 'loop'].includes(use.name)) {
      out.push({ message: `\`${use.name}()\` is not a function tend templates can call (${Object.keys(environment.globals).sort().join(', ')}, or a macro)`, offset: use.at })
    }
  }
  return out
}

/**
 * The first variable a template reads whose value came from a host, directly or through
 * declared variables it reads: such a value must never pick a controller file.
 */
export function hostDataRead(text: string, vars: TaintedVars): string | undefined {
  const tainted = vars[HOST_DATA]
  if (tainted === undefined || tainted.size === 0 || !isTemplate(text)) return undefined
  const seen = new Set<string>()
  const visit = (source: string): string | undefined => {
    for (const name of allNames(source)) {
      if (tainted.has(name)) return name
      if (seen.has(name)) continue
      seen.add(name)
      const value = own(vars, name) ? vars[name] : undefined
      if (value instanceof Authored) {
        for (const inner of authoredStrings(value.source)) {
          const found = visit(inner)
          if (found !== undefined) return `${name} (from ${found})`
        }
      }
    }
    return undefined
  }
  return visit(text)
}

/** Every name a template reads, guarded or not (taint cares about `x | default(...)` too). */
function allNames(text: string): string[] {
  try {
    return [...namesRead(parseTemplate(text, PLAYBOOK_WHITESPACE))]
  } catch {
    return []
  }
}

function authoredStrings(value: unknown): string[] {
  if (typeof value === 'string') return isTemplate(value) ? [value] : []
  if (Array.isArray(value)) return value.flatMap(authoredStrings)
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(authoredStrings)
  return []
}
