import type { Diagnostic } from '../errors.js'
import { modules } from '../modules/index.js'
import type { BecomeSpec, Handler, Task, TemplateSource, Vars } from './model.js'
import { expandShorthand, moduleArgDiagnostics } from './module-args.js'
import { nearest } from './nearest.js'
import { BLOCK_KEYWORDS, taskKeywords } from './schema.js'
import { isTemplate } from './template-vars.js'
import { diagnosticAt, offsetOf, refOf, type Path, type YamlSource } from './yaml-source.js'

type Mapping = Record<string, unknown>
const BLOCK_KEYS = ['block', 'rescue', 'always']
/** Task keywords Ansible does not accept on a block: they describe one module's result. */
const NOT_ON_BLOCK = ['register', 'notify', 'until', 'retries', 'delay', 'changed_when', 'failed_when']
const EXPRESSION_KEYS = ['when', 'until', 'changed_when', 'failed_when']

/** Loader state shared by the tasks of one play: where diagnostics go. */
export interface TaskContext {
  readonly source: YamlSource
  readonly diagnostics: Diagnostic[]
  /** The become in force around these tasks (play, then enclosing blocks). */
  readonly become?: BecomeSpec
}

const list = (value: unknown): string[] =>
  value === undefined || value === null ? [] : (Array.isArray(value) ? value : [value]).map(String)

function isMapping(value: unknown): value is Mapping {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

/** Positions of every templated string and expression of a task or play, by JSON Pointer. */
export function templateSources(source: YamlSource, raw: Mapping, path: Path, moduleKey?: string): Record<string, TemplateSource> {
  const out: Record<string, TemplateSource> = {}
  const walk = (value: unknown, at: readonly (string | number)[], expression: boolean): void => {
    if ((expression && typeof value === 'string') || isTemplate(value)) {
      out[`/${at.join('/')}`] = { ...refOf(source, [...path, ...at]), text: String(value), expression: expression && !isTemplate(value) }
    }
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...at, i], expression))
    else if (isMapping(value)) for (const [k, v] of Object.entries(value)) walk(v, [...at, k], expression)
  }
  for (const [key, value] of Object.entries(raw)) {
    if (BLOCK_KEYS.includes(key)) continue
    walk(value, [key], EXPRESSION_KEYS.includes(key) && key !== moduleKey)
  }
  return out
}

/** The become in force for a task: its own, else the enclosing one (Ansible's inheritance). */
function becomeOf(raw: Mapping, around: BecomeSpec | undefined): BecomeSpec | undefined {
  if (raw.become === false) return undefined
  const user = typeof raw.become_user === 'string' ? raw.become_user : undefined
  if (raw.become === true) return { user: user ?? around?.user ?? 'root' }
  return around && user ? { user } : around
}

/** The module keys of a task, and the problems with its keys, as diagnostics. */
function classifyKeys(ctx: TaskContext, raw: Mapping, path: Path, extraKeys: readonly string[]): string[] {
  const keys = Object.keys(raw)
  const known = new Set([...Object.keys(taskKeywords), ...BLOCK_KEYS, ...extraKeys])
  const moduleKeys = keys.filter((k) => k in modules)
  const unknown = keys.filter((k) => !known.has(k) && !(k in modules))
  const isBlock = keys.some((k) => BLOCK_KEYS.includes(k))
  const moduleNames = Object.keys(modules)
  const at = (key: string) => offsetOf(ctx.source, [...path, key], true)
  for (const key of unknown) {
    if (moduleKeys.length === 0 && !isBlock) {
      const guess = nearest(key, [...moduleNames, ...known])
      const hint = `${guess ? `did you mean \`${guess}\`? ` : ''}known modules: ${moduleNames.join(', ')}`
      ctx.diagnostics.push(diagnosticAt(ctx.source, at(key), `unknown module \`${key}\``, hint))
    } else {
      const guess = nearest(key, [...known, ...moduleNames])
      ctx.diagnostics.push(diagnosticAt(ctx.source, at(key), `unknown task key \`${key}\``, guess ? `did you mean \`${guess}\`?` : `task keys: ${[...known].join(', ')}`))
    }
  }
  if (moduleKeys.length > 1) {
    const [first, second] = moduleKeys as [string, string]
    ctx.diagnostics.push(diagnosticAt(ctx.source, at(second), `one task has two module keys: \`${first}\` and \`${second}\``, 'A task runs exactly one module; split it into two tasks.'))
  }
  if (moduleKeys.length > 0 && isBlock) {
    ctx.diagnostics.push(diagnosticAt(ctx.source, at(moduleKeys[0]!), `a task cannot have both a module (\`${moduleKeys[0]}\`) and \`block\``, 'Move the module into its own task inside the block.'))
  }
  if (moduleKeys.length === 0 && !isBlock && unknown.length === 0) {
    ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, path), 'task has no module', `Add one module key: ${moduleNames.join(', ')}`))
  }
  for (const key of isBlock ? keys.filter((k) => NOT_ON_BLOCK.includes(k)) : []) {
    const hint = `\`${key}\` describes one task's result: put it on a task inside the block. A block accepts: ${BLOCK_KEYWORDS.join(', ')}.`
    ctx.diagnostics.push(diagnosticAt(ctx.source, at(key), `\`${key}\` is not valid on a block`, hint))
  }
  if (isBlock && !('block' in raw)) {
    const key = keys.find((k) => BLOCK_KEYS.includes(k))!
    ctx.diagnostics.push(diagnosticAt(ctx.source, at(key), `\`${key}\` without \`block\``, '`rescue` and `always` belong to a `block:` task.'))
  }
  return moduleKeys
}

export function normalizeTasks(ctx: TaskContext, raw: unknown, path: Path): Task[] {
  if (!Array.isArray(raw)) return []
  return raw.flatMap((task, i) => {
    const normalized = normalizeTask(ctx, task, [...path, i])
    return normalized ? [normalized] : []
  })
}

function normalizeTask(ctx: TaskContext, raw: unknown, path: Path, extraKeys: readonly string[] = []): Task | undefined {
  if (!isMapping(raw)) return undefined // the schema reports it
  const moduleKeys = classifyKeys(ctx, raw, path, extraKeys)
  const become = becomeOf(raw, ctx.become)
  const common = {
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    when: list(raw.when),
    tags: list(raw.tags).flatMap((t) => t.split(',').map((s) => s.trim())).filter((t) => t !== ''),
    ignoreErrors: raw.ignore_errors === true,
    ...(become ? { become } : {}),
    vars: (isMapping(raw.vars) ? raw.vars : {}) as Vars,
    noLog: raw.no_log === true,
    ...(typeof raw.timeout === 'number' ? { timeoutSeconds: raw.timeout } : {}),
    source: refOf(ctx.source, path),
    templateSources: templateSources(ctx.source, raw, path, moduleKeys[0]),
  }
  if ('block' in raw) {
    const inner = { ...ctx, ...(become ? { become } : {}) }
    return {
      ...common,
      type: 'block',
      block: normalizeTasks(inner, raw.block, [...path, 'block']),
      rescue: normalizeTasks(inner, raw.rescue, [...path, 'rescue']),
      always: normalizeTasks(inner, raw.always, [...path, 'always']),
    }
  }
  const kind = moduleKeys[0]
  if (kind === undefined) return undefined
  ctx.diagnostics.push(...moduleArgDiagnostics(kind, raw[kind], ctx.source, [...path, kind]))
  const until = typeof raw.until === 'string' ? raw.until : undefined
  const conditions = (value: unknown) => (value === undefined ? undefined : list(value))
  const changedWhen = conditions(raw.changed_when)
  const failedWhen = conditions(raw.failed_when)
  return {
    ...common,
    type: 'module',
    module: kind,
    args: expandShorthand(kind, raw[kind]).args,
    argsSource: refOf(ctx.source, [...path, kind]),
    ...(typeof raw.register === 'string' ? { register: raw.register } : {}),
    notify: list(raw.notify),
    ...('notify' in raw ? { notifySource: refOf(ctx.source, [...path, 'notify']) } : {}),
    ...(until !== undefined ? { until } : {}),
    // Ansible's defaults: 3 retries, 5 seconds apart, when `until` is set.
    retries: until === undefined ? 0 : typeof raw.retries === 'number' ? raw.retries : 3,
    delaySeconds: typeof raw.delay === 'number' ? raw.delay : 5,
    ...(changedWhen ? { changedWhen } : {}),
    ...(failedWhen ? { failedWhen } : {}),
  }
}

export function normalizeHandlers(ctx: TaskContext, raw: unknown, path: Path): Handler[] {
  if (!Array.isArray(raw)) return []
  return raw.flatMap((handler, i) => {
    const task = normalizeTask(ctx, handler, [...path, i], ['listen'])
    if (task?.type === 'block') {
      ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, i, 'block'], true), 'a handler cannot be a block', 'A handler is one module task with a `name`.'))
    }
    if (task?.type !== 'module' || task.name === undefined) return []
    return [{ ...task, name: task.name, listen: list((handler as Mapping).listen) }]
  })
}
