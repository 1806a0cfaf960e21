import type { Diagnostic } from '../errors.js'
import { modules } from '../modules/index.js'
import type { BecomeSpec, Handler, LoopSpec, SourceRef, Task, TemplateSource, Vars } from './model.js'
import { ansibleModule, missingAnsibleModule } from './ansible-modules.js'
import { MISSING_TASK_KEYWORDS } from './ansible-keywords.js'
import { includeKind, normalizeInclude, resolveSource, type IncludeContext } from './includes.js'
import { expandShorthand, moduleArgDiagnostics } from './module-args.js'
import { argBoundDiagnostics, taskKeyBoundDiagnostics } from './bounds.js'
import { CONTROLLER_ACTIONS } from '../modules/actions.js'
import { nearest } from './nearest.js'
import { BLOCK_KEYWORDS, taskKeywords } from './schema.js'
import { checkTemplateText, isTemplate } from '../template/playbook.js'
import { diagnosticAt, diagnosticAtRef, offsetOf, refOf, type Path, type YamlSource } from './yaml-source.js'

type Mapping = Record<string, unknown>
const BLOCK_KEYS = ['block', 'rescue', 'always']
/** Task keywords Ansible does not accept on a block: they describe one module's result. */
const NOT_ON_BLOCK = ['register', 'notify', 'until', 'retries', 'delay', 'changed_when', 'failed_when']
const EXPRESSION_KEYS = ['when', 'until', 'changed_when', 'failed_when']
const LOOP_KEYS = ['loop', 'with_items', 'with_list', 'with_dict'] as const

/** Loader state shared by the tasks of one play: where diagnostics go, where files are found. */
export interface TaskContext extends IncludeContext {
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

/** Keys that stand for a module: tend's, Ansible's names tend keeps, and the include/import keys. */
function isModuleKey(key: string): boolean {
  return key in modules || ansibleModule(key) !== undefined || includeKind(key) !== undefined
}

/**
 * Templates checked at load time, so problems are reported with every other one: syntax errors
 * and filters, tests or functions tend does not have, each at its position in the text.
 */
export function templateFeatureDiagnostics(source: YamlSource, sources: Readonly<Record<string, TemplateSource>>): Diagnostic[] {
  return Object.values(sources).flatMap(({ text, expression, ...where }) =>
    checkTemplateText(text, expression).problems.map((p) => diagnosticAtRef(source, pointInto(source, where, text, p.offset), `${p.message} (in \`${text}\`)`)))
}

/**
 * The position of an offset inside a YAML scalar: exact when the text stands on its line as
 * written (plain or quoted without escapes), else the scalar's own position.
 */
function pointInto(source: YamlSource, where: SourceRef, text: string, offset: number): SourceRef {
  const line = source.lines[where.line - 1]
  const firstLine = text.split('\n')[0] ?? ''
  if (line === undefined || offset > firstLine.length) return where
  const start = line.indexOf(firstLine, Math.max(0, where.column - 1))
  return start === -1 ? where : { ...where, column: start + 1 + offset }
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
    // assert's `that` and debug's `var` are expressions like `when:` (Ansible reads them so).
    if (moduleKey !== undefined && key === moduleKey && isMapping(value) && ['assert', 'debug'].includes(ansibleKind(key))) {
      for (const [k, v] of Object.entries(value)) walk(v, [key, k], k === 'that' || k === 'var')
      continue
    }
    walk(value, [key], EXPRESSION_KEYS.includes(key) && key !== moduleKey)
  }
  return out
}

function ansibleKind(key: string): string {
  return key.replace(/^ansible\.(builtin|legacy)\./, '')
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
  const moduleKeys = keys.filter((k) => !known.has(k) && isModuleKey(k))
  const unknown = keys.filter((k) => !known.has(k) && !isModuleKey(k))
  const isBlock = keys.some((k) => BLOCK_KEYS.includes(k))
  const moduleNames = Object.keys(modules)
  const at = (key: string) => offsetOf(ctx.source, [...path, key], true)
  for (const key of unknown) {
    const keyword = MISSING_TASK_KEYWORDS[key]
    const missing = missingAnsibleModule(key)
    if (keyword !== undefined) {
      ctx.diagnostics.push(diagnosticAt(ctx.source, at(key), `Ansible's task keyword \`${key}\` is not in tend`, `${keyword}.`))
    } else if (missing !== undefined) {
      ctx.diagnostics.push(diagnosticAt(ctx.source, at(key), `unknown module \`${key}\``, missing))
    } else if (moduleKeys.length === 0 && !isBlock) {
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

/** loop / with_items / with_list / with_dict with loop_control. */
export function loopOf(ctx: TaskContext, raw: Mapping, path: Path): LoopSpec | undefined {
  const kinds = LOOP_KEYS.filter((k) => k in raw)
  const control = isMapping(raw.loop_control) ? raw.loop_control : {}
  if (kinds.length > 1) {
    ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, kinds[1]!], true), `one task has two loops: \`${kinds[0]}\` and \`${kinds[1]}\``, 'Keep one; `loop:` is the modern form.'))
  }
  const kind = kinds[0]
  if (kind === undefined) {
    if ('loop_control' in raw) ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, 'loop_control'], true), '`loop_control` without a loop', 'Add `loop:` (or `with_items:`) to the task.'))
    return undefined
  }
  return {
    items: raw[kind],
    kind,
    loopVar: typeof control.loop_var === 'string' ? control.loop_var : 'item',
    ...(typeof control.index_var === 'string' ? { indexVar: control.index_var } : {}),
    ...(typeof control.label === 'string' ? { label: control.label } : {}),
    pauseSeconds: typeof control.pause === 'number' ? control.pause : 0,
    source: refOf(ctx.source, [...path, kind], true),
  }
}

export function normalizeTasks(ctx: TaskContext, raw: unknown, path: Path): Task[] {
  if (!Array.isArray(raw)) return []
  return raw.flatMap((task, i) => {
    const normalized = normalizeTask(ctx, task, [...path, i])
    return normalized ? [normalized] : []
  })
}

/** The tend module and spec for a module key, Ansible's names translated; problems reported. */
function moduleOf(ctx: TaskContext, key: string, rawArgs: unknown, path: Path): { kind: string; args: unknown; verbatim: boolean } {
  const translate = ansibleModule(key)
  if (!translate) return { kind: key, args: rawArgs, verbatim: false }
  const resolved = resolveSource(ctx, ansibleKind(key), rawArgs, [...path, key])
  const translated = translate(resolved)
  for (const p of translated.problems) {
    ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, key, ...(p.key ? [p.key] : [])]), p.message, p.hint))
  }
  // copy's `content` read from `src` is the file's bytes: data, never rendered.
  const verbatim = isMapping(rawArgs) && rawArgs.content === undefined && isMapping(resolved) && typeof resolved.content === 'string'
  return { ...translated, verbatim }
}

function normalizeTask(ctx: TaskContext, raw: unknown, path: Path, extraKeys: readonly string[] = []): Task | undefined {
  if (!isMapping(raw)) return undefined // the schema reports it
  const moduleKeys = classifyKeys(ctx, raw, path, extraKeys)
  const become = becomeOf(raw, ctx.become)
  const loop = loopOf(ctx, raw, path)
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
    ...(loop ? { loop } : {}),
  }
  ctx.diagnostics.push(...templateFeatureDiagnostics(ctx.source, common.templateSources))
  ctx.diagnostics.push(...taskKeyBoundDiagnostics(ctx.source, raw, path))
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
  const key = moduleKeys[0]
  if (key === undefined) return undefined
  const include = includeKind(key)
  if (include) return normalizeInclude({ ...ctx, ...(become ? { become } : {}) }, raw, path, key, include, common, normalizeTasks, normalizeHandlers)
  const translated = moduleOf(ctx, key, raw[key], path)
  const kind = translated.kind
  // Ansible's `args:` adds arguments to the module's (`command: ls` with `args: {chdir: /tmp}`).
  const moduleArgs = isMapping(raw.args) ? { ...(expandShorthand(kind, translated.args).args as Mapping), ...raw.args } : translated.args
  ctx.diagnostics.push(...moduleArgDiagnostics(kind, moduleArgs, ctx.source, [...path, key]))
  ctx.diagnostics.push(...argBoundDiagnostics(ctx.source, [...path, key], moduleArgs, !CONTROLLER_ACTIONS.has(kind)))
  const until = typeof raw.until === 'string' ? raw.until : undefined
  const conditions = (value: unknown) => (value === undefined ? undefined : list(value))
  const changedWhen = conditions(raw.changed_when)
  const failedWhen = conditions(raw.failed_when)
  return {
    ...common,
    type: 'module',
    module: kind,
    args: expandShorthand(kind, moduleArgs).args,
    ...(translated.verbatim ? { verbatimArgs: ['content'] } : {}),
    argsSource: refOf(ctx.source, [...path, key]),
    ...(typeof raw.register === 'string' ? { register: raw.register } : {}),
    notify: list(raw.notify),
    ...('notify' in raw ? { notifySource: refOf(ctx.source, [...path, 'notify']) } : {}),
    ...(until !== undefined ? { until } : {}),
    // Ansible's defaults: 3 retries, 5 seconds apart, when `until` is set.
    retries: until === undefined ? 0 : typeof raw.retries === 'number' ? raw.retries : 3,
    delaySeconds: typeof raw.delay === 'number' ? raw.delay : 5,
    ...(changedWhen ? { changedWhen } : {}),
    ...(failedWhen ? { failedWhen } : {}),
    ...(raw.run_once === true ? { runOnce: true } : {}),
    ...(raw.ignore_unreachable === true ? { ignoreUnreachable: true } : {}),
  }
}

export function normalizeHandlers(ctx: TaskContext, raw: unknown, path: Path): Handler[] {
  if (!Array.isArray(raw)) return []
  return raw.flatMap((handler, i) => {
    const task = normalizeTask(ctx, handler, [...path, i], ['listen'])
    if (task?.type === 'block') {
      ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, i, 'block'], true), 'a handler cannot be a block', 'A handler is one module task with a `name`.'))
    }
    if (task?.type === 'include') {
      ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, i], false), 'a handler cannot include tasks or roles', 'A handler is one module task with a `name` (Ansible refuses include_role in handlers too).'))
    }
    if (task?.type !== 'module' || task.name === undefined) return []
    return [{ ...task, name: task.name, listen: list((handler as Mapping).listen) }]
  })
}
