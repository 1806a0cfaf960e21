import type { Diagnostic } from '../errors.js'
import { modules } from '../modules/index.js'
import type { BecomeSpec, Handler, LoopSpec, SourceRef, Task, TemplateSource, Vars } from './model.js'
import { ansibleModule, argsMapping, missingAnsibleModule, shortName } from './ansible-modules.js'
import { parseKv, splitArgs } from './ansible-args.js'
import { flagOf, type Flag } from './flags.js'
import { MISSING_TASK_KEYWORDS } from './ansible-keywords.js'
import { includeKind, normalizeInclude, resolveSource, type IncludeContext } from './includes.js'
import { coerceModuleArgs, expandShorthand, moduleArgDiagnostics } from './module-args.js'
import { argBoundDiagnostics, taskKeyBoundDiagnostics } from './bounds.js'
import { CONTROLLER_ACTIONS } from '../modules/actions.js'
import { nearest } from './nearest.js'
import { BLOCK_KEYWORDS, taskKeywords } from './schema.js'
import { checkTemplateText, isTemplate } from '../template/playbook.js'
import { diagnosticAt, diagnosticAtRef, offsetOf, refAt as refAtOffset, refOf, type Path, type YamlSource } from './yaml-source.js'

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

/**
 * The become in force for a task: its own, else the enclosing one (Ansible's inheritance). A
 * templated `become` is decided per host at the task's turn (BecomeSpec.if).
 */
export function becomeOf(become: Flag | undefined, becomeUser: unknown, around: BecomeSpec | undefined): BecomeSpec | undefined {
  if (become === false) return undefined
  const user = typeof becomeUser === 'string' ? becomeUser : undefined
  if (become === true) return { user: user ?? around?.user ?? 'root' }
  if (typeof become === 'string') return { user: user ?? around?.user ?? 'root', if: become }
  return around && user ? { ...around, user } : around
}

/** The module keys of a task, and the problems with its keys, as diagnostics. */
function classifyKeys(ctx: TaskContext, raw: Mapping, path: Path, extraKeys: readonly string[]): string[] {
  const keys = Object.keys(raw)
  const known = new Set([...Object.keys(taskKeywords), ...BLOCK_KEYS, ...extraKeys])
  const moduleKeys = keys.filter((k) => !known.has(k) && !k.startsWith('with_') && isModuleKey(k))
  const unknown = keys.filter((k) => !known.has(k) && (k.startsWith('with_') || !isModuleKey(k)))
  const isBlock = keys.some((k) => BLOCK_KEYS.includes(k))
  const moduleNames = Object.keys(modules)
  const at = (key: string) => offsetOf(ctx.source, [...path, key], true)
  for (const key of unknown) {
    const keyword = MISSING_TASK_KEYWORDS[key]
    const missing = missingAnsibleModule(key)
    if (key.startsWith('with_')) {
      // Ansible's with_<lookup> is a loop over that lookup plugin, never a module.
      const lookup = key.slice(5)
      const hint = keyword !== undefined ? `${keyword}.` : 'tend loops with `loop:`, `with_items`, `with_list` and `with_dict`: build the list in `vars` and use `loop:`.'
      ctx.diagnostics.push(diagnosticAt(ctx.source, at(key), `\`${key}\` loops over the \`${lookup}\` lookup, which tend does not have`, hint))
    } else if (keyword !== undefined) {
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
  if (moduleKeys.length === 0 && !isBlock && unknown.every((k) => k.startsWith('with_'))) {
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

/** The property names of a tend module's schema (which `k=v` words a shorthand module takes). */
function propertiesOf(kind: string): readonly string[] | undefined {
  const props = (modules[kind]?.module.schema as { properties?: object } | undefined)?.properties
  return props ? Object.keys(props) : undefined
}

/** Ansible's `args:` keyword: a mapping, or `k=v` text. */
function extraArgsOf(extra: unknown): Mapping | undefined {
  if (isMapping(extra)) return extra
  if (typeof extra !== 'string') return undefined
  const parsed = parseKv(extra)
  return 'error' in parsed ? undefined : parsed.options
}

interface ModuleOf {
  readonly kind: string
  readonly args: unknown
  readonly verbatim: boolean
  /** The Ansible module whose words the args still hold in templated values (Translated.deferred). */
  readonly ansible?: string
}

/**
 * The tend module and spec for a module key, Ansible's names translated; problems reported at
 * `argsPath` (the module's value in the YAML). `extra` is the task's `args:`.
 */
function moduleOf(ctx: TaskContext, key: string, rawArgs: unknown, extra: unknown, argsPath: Path): ModuleOf {
  const translate = ansibleModule(key)
  const short = shortName(key)
  const kind = translate ? translate({}).kind : key
  const named = translate ? short : key
  const at = (sub: readonly string[] = []) => {
    const offset = offsetOf(ctx.source, [...argsPath, ...sub])
    return sub.length === 1 && typeof rawArgs === 'string' ? kvOffset(ctx.source, offset, sub[0]!) : offset
  }
  const { args: parsed, problem } = argsMapping(named, rawArgs, modules[named]?.shorthand, propertiesOf(named))
  if (problem) {
    const start = at()
    const word = problem.word === undefined ? -1 : (ctx.source.lines[refAtOffset(ctx.source, start).line - 1] ?? '').indexOf(problem.word, refAtOffset(ctx.source, start).column - 1)
    const offset = word === -1 ? start : start + word - (refAtOffset(ctx.source, start).column - 1)
    ctx.diagnostics.push(diagnosticAt(ctx.source, offset, problem.message, problem.hint))
  }
  let args = isMapping(parsed) ? parsed : (expandShorthand(kind, parsed).args)
  // Ansible's `args:` are the base; the module's own arguments win (parsing/mod_args.py).
  const more = extraArgsOf(extra)
  if (more !== undefined && isMapping(args)) args = { ...more, ...args }
  if (!translate || !isMapping(args)) return { kind, args, verbatim: false }
  const resolved = resolveSource(ctx, short, args, argsPath)
  const translated = translate(isMapping(resolved) ? resolved : args)
  for (const p of translated.problems) ctx.diagnostics.push(diagnosticAt(ctx.source, at(p.key ? [p.key] : []), p.message, p.hint))
  // copy's `content` read from `src` is the file's bytes: data, never rendered.
  const verbatim = args.content === undefined && isMapping(resolved) && typeof resolved.content === 'string'
  return { kind: translated.kind, args: translated.args, verbatim, ...(translated.deferred ? { ansible: short } : {}) }
}

/** Where `key=` is written in the `k=v` text starting at `offset` (on its first line), else `offset`. */
function kvOffset(source: YamlSource, offset: number, key: string): number {
  const { line, column } = refAtOffset(source, offset)
  const text = source.lines[line - 1]?.slice(column - 1) ?? ''
  const found = new RegExp(`(^|[\\s"'])${key.replace(/[^\w]/g, '')}=`).exec(text)
  return found === null ? offset : offset + found.index + found[1]!.length
}

/** A schema problem of `k=v` text points at its key inside the text (`enabled=perhaps`), not at the text's start. */
function inKvText(source: YamlSource, d: Diagnostic, written: unknown, argsPath: Path): Diagnostic {
  const key = /^`(\w+)`/.exec(d.message)?.[1]
  if (typeof written !== 'string' || key === undefined) return d
  const start = offsetOf(source, argsPath)
  const here = refAtOffset(source, start)
  if (here.line !== d.line || here.column !== d.column) return d
  return { ...d, ...refAtOffset(source, kvOffset(source, start, key)) }
}

/** `mode: 644` (a YAML decimal): Ansible would set 0o1204 (-w----r-T); almost always meant 0644. */
function decimalModeDiagnostic(ctx: TaskContext, args: unknown, argsPath: Path): void {
  if (!isMapping(args) || typeof args.mode !== 'number' || args.mode === 0) return
  const ref = refOf(ctx.source, [...argsPath, 'mode'])
  const written = /^[0-9]+/.exec(ctx.source.lines[ref.line - 1]?.slice(ref.column - 1) ?? '')?.[0]
  if (written === undefined || written.startsWith('0')) return
  const meant = /^[0-7]{3,4}$/.test(written) ? `"0${written.slice(-3)}"` : '"0644"'
  ctx.diagnostics.push(diagnosticAtRef(ctx.source, ref, `\`mode: ${written}\` is the decimal number ${written}: Ansible would set mode ${Number(written).toString(8).padStart(4, '0')}, not ${written}`,
    `Write the mode as a quoted octal string (\`mode: ${meant}\`) or with a leading zero (\`mode: 0${written}\`, which YAML reads as octal).`))
}

/** A task written with `action:`/`local_action:`: the module key it stands for, and where it is written. */
interface Legacy {
  readonly task: Mapping
  readonly keyword: 'action' | 'local_action'
}

/**
 * Ansible's old forms (parsing/mod_args.py): `action: copy src=a dest=b`, `action: {module: copy,
 * src: a}`, and `local_action:` the same, run on localhost. Returns the task as if the module
 * were its own key; undefined (and a diagnostic) when there is no module to read.
 */
function legacyAction(ctx: TaskContext, raw: Mapping, path: Path): Legacy | undefined {
  const keyword = 'local_action' in raw ? 'local_action' : 'action' in raw ? 'action' : undefined
  if (keyword === undefined) return undefined
  const at = offsetOf(ctx.source, [...path, keyword], true)
  if ('action' in raw && 'local_action' in raw) {
    ctx.diagnostics.push(diagnosticAt(ctx.source, at, '`action` and `local_action` are mutually exclusive', 'Keep one: `local_action` is `action` run on localhost.'))
    return undefined
  }
  const value = raw[keyword]
  let module: string | undefined
  let args: unknown
  if (typeof value === 'string') {
    const words = splitArgs(value.trim()) ?? []
    module = words[0]
    args = words.slice(1).join(' ')
  } else if (isMapping(value) && typeof value.module === 'string') {
    const { module: line, ...rest } = value
    const words = splitArgs(line.trim()) ?? []
    module = words[0]
    const inline = words.length > 1 ? parseKv(words.slice(1).join(' ')) : undefined
    args = { ...rest, ...(inline !== undefined && !('error' in inline) ? inline.options : {}) }
  }
  if (module === undefined || module === '') {
    ctx.diagnostics.push(diagnosticAt(ctx.source, at, `\`${keyword}\` names no module`, `\`${keyword}: copy src=a dest=b\`, or \`${keyword}: {module: copy, src: a, dest: b}\`.`))
    return undefined
  }
  if (!isModuleKey(module)) {
    const missing = missingAnsibleModule(module)
    ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, keyword]), `unknown module \`${module}\` in \`${keyword}\``, missing ?? `known modules: ${Object.keys(modules).join(', ')}`))
    return undefined
  }
  const { [keyword]: _legacy, ...rest } = raw
  return { task: { ...rest, [module]: args === '' ? null : args }, keyword }
}

function normalizeTask(ctx: TaskContext, written: unknown, path: Path, extraKeys: readonly string[] = []): Task | undefined {
  if (!isMapping(written)) return undefined // the schema reports it
  const legacy = legacyAction(ctx, written, path)
  if (legacy === undefined && ('action' in written || 'local_action' in written)) return undefined
  const raw = legacy?.task ?? written
  const moduleKeys = classifyKeys(ctx, raw, path, extraKeys)
  const flag = (key: string) => flagOf(ctx.source, ctx.diagnostics, raw, key, path)
  const become = becomeOf(flag('become'), raw.become_user, ctx.become)
  const ignoreErrors = flag('ignore_errors')
  const noLog = flag('no_log')
  const loop = loopOf(ctx, raw, path)
  const common = {
    ...(ctx.numbering !== undefined && { index: `${ctx.numbering.prefix}${++ctx.numbering.next}` }),
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    when: list(raw.when),
    tags: list(raw.tags).flatMap((t) => t.split(',').map((s) => s.trim())).filter((t) => t !== ''),
    ignoreErrors: ignoreErrors === true,
    ...(typeof ignoreErrors === 'string' ? { ignoreErrorsTemplate: ignoreErrors } : {}),
    ...(become ? { become } : {}),
    vars: (isMapping(raw.vars) ? raw.vars : {}) as Vars,
    // A templated no_log hides the task whatever it renders to: what may be shown is decided
    // before anything is rendered. Its type is still checked at the task's turn.
    noLog: noLog === true || typeof noLog === 'string',
    ...(typeof noLog === 'string' ? { noLogTemplate: noLog } : {}),
    ...(typeof raw.check_mode === 'boolean' ? { checkMode: raw.check_mode } : {}),
    ...(raw.environment !== undefined && raw.environment !== null ? { environment: raw.environment } : {}),
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
  const argsPath = [...path, legacy?.keyword ?? key]
  const translated = moduleOf(ctx, key, raw[key], raw.args, argsPath)
  const kind = translated.kind
  decimalModeDiagnostic(ctx, raw[key], argsPath)
  ctx.diagnostics.push(...moduleArgDiagnostics(kind, translated.args, ctx.source, argsPath).map((d) => inKvText(ctx.source, d, raw[key], argsPath)))
  ctx.diagnostics.push(...argBoundDiagnostics(ctx.source, argsPath, translated.args, !CONTROLLER_ACTIONS.has(kind)))
  const until = typeof raw.until === 'string' ? raw.until : undefined
  const conditions = (value: unknown) => (value === undefined ? undefined : list(value))
  const changedWhen = conditions(raw.changed_when)
  const failedWhen = conditions(raw.failed_when)
  return {
    ...common,
    type: 'module',
    module: kind,
    args: coerceModuleArgs(kind, expandShorthand(kind, translated.args).args, true),
    ...(translated.verbatim ? { verbatimArgs: ['content'] } : {}),
    ...(translated.ansible !== undefined ? { ansible: translated.ansible } : {}),
    argsSource: refOf(ctx.source, argsPath),
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
    ...(legacy?.keyword === 'local_action' ? { delegateLocal: true } : {}),
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
