/**
 * Reuse as in Ansible: import_tasks (static: loaded and validated with the playbook), include_tasks
 * (dynamic: run when reached, with when/loop; loaded now when its name is not a template),
 * import_role/include_role and the role loader (roles.ts). Diagnostics point into the included file.
 */
import { existsSync } from 'node:fs'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { ConfigError, type Diagnostic } from '../errors.js'
import type { BlockTask, Handler, IncludeTask, Task, TaskCommon } from './model.js'
import { playbookSchemaWith } from './schema.js'
import { compileSchema, schemaDiagnostics } from './schema-check.js'
import { isTemplate, unknownCallables } from '../template/playbook.js'
import { parseTemplateFile, positionIn, readControllerText } from '../template/index.js'
import { diagnosticAt, offsetOf, parseYaml, type Path, type YamlSource } from './yaml-source.js'
import { roleBlock, type RoleRef } from './roles.js'
import { parseKv, splitArgs } from './ansible-args.js'
import type { IncludeContext, LoadContext as Ctx, NormalizeHandlers, NormalizeTasks } from './load-context.js'
import { readInputSync } from './input-file.js'

export type { IncludeContext, NormalizeHandlers, NormalizeTasks }

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)

export type IncludeKind = 'include_tasks' | 'import_tasks' | 'include_role' | 'import_role'
const KINDS: readonly IncludeKind[] = ['include_tasks', 'import_tasks', 'include_role', 'import_role']

export function includeKind(key: string): IncludeKind | undefined {
  const short = key.replace(/^ansible\.(builtin|legacy)\./, '')
  // The legacy `include:` of a tasks file (static or not: normalizeInclude decides, as Ansible does).
  if (short === 'include') return 'include_tasks'
  return (KINDS as readonly string[]).includes(short) ? (short as IncludeKind) : undefined
}

/** What every task has, as the loader gives it to an include. */
type Common = TaskCommon


const schemas = { tasks: 'task', handlers: 'handler' } as const
/** Schema of a tasks (or handlers) file: a list of the playbook schema's tasks (or handlers). */
export function taskFileSchema(what: keyof typeof schemas): object {
  const playbook = playbookSchemaWith(true) as { definitions: object }
  return { type: 'array', items: { $ref: `#/definitions/${schemas[what]}` }, definitions: playbook.definitions }
}
const fileSchema = (what: keyof typeof schemas) => compileSchema(taskFileSchema(what))

/**
 * Reads a task (or handler) file: YAML errors, schema errors and task problems all point into it.
 * Returns undefined (and a diagnostic at `where`) when it cannot be read.
 */
export function readTaskFile(ctx: Ctx, file: string, at: { source: YamlSource; offset: number }, what: keyof typeof schemas, normalize: NormalizeTasks | NormalizeHandlers, extra: Partial<IncludeContext> = {}): (Task | Handler)[] | undefined {
  if (ctx.stack.includes(file)) {
    ctx.diagnostics.push(diagnosticAt(at.source, at.offset, `include cycle: ${[...ctx.stack.slice(ctx.stack.indexOf(file)), file].join(' → ')}`, 'A file cannot include itself, directly or through others.'))
    return undefined
  }
  let text: string
  try {
    text = readInputSync(file)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message
    ctx.diagnostics.push(diagnosticAt(at.source, at.offset, `cannot read \`${file}\`: ${reason}`, `Relative paths are resolved against ${ctx.baseDir}.`))
    return undefined
  }
  const parsed = parseYaml(file, text)
  ctx.diagnostics.push(...parsed.diagnostics)
  if (!parsed.trusted) return []
  if (parsed.value === null || parsed.value === undefined) return []
  ctx.diagnostics.push(...schemaDiagnostics(fileSchema(what), parsed.value, parsed.source))
  if (!Array.isArray(parsed.value)) return []
  const inner: Ctx = { ...ctx, ...extra, source: parsed.source, baseDir: extra.baseDir ?? dirname(file), stack: [...ctx.stack, file] }
  return normalize(inner, parsed.value, [])
}

/** `include_tasks: file.yml`, `{file: …}`, `file=…`, or the legacy `include: file.yml` (its first word). */
function fileArg(args: unknown): string | undefined {
  if (typeof args === 'string') {
    const parsed = parseKv(args.trim())
    if ('error' in parsed) return args
    if (typeof parsed.options.file === 'string') return parsed.options.file
    return parsed.raw === undefined ? args : splitArgs(parsed.raw)?.[0] ?? parsed.raw
  }
  return isMapping(args) && typeof args.file === 'string' ? args.file : undefined
}

function roleArg(args: unknown): RoleRef | undefined {
  if (typeof args === 'string') return { name: args.replace(/^name=/, ''), params: {} }
  if (!isMapping(args) || typeof args.name !== 'string') return undefined
  return {
    name: args.name,
    params: {},
    ...(typeof args.tasks_from === 'string' ? { tasksFrom: args.tasks_from } : {}),
    ...(typeof args.vars_from === 'string' ? { varsFrom: args.vars_from } : {}),
    ...(typeof args.defaults_from === 'string' ? { defaultsFrom: args.defaults_from } : {}),
    ...(typeof args.handlers_from === 'string' ? { handlersFrom: args.handlers_from } : {}),
  }
}

export function normalizeInclude(
  ctx: Ctx, raw: Mapping, path: Path, key: string, kind: IncludeKind, common: Common,
  normalizeTasks: NormalizeTasks, normalizeHandlers: NormalizeHandlers,
): Task | undefined {
  const at = { source: ctx.source, offset: offsetOf(ctx.source, [...path, key], true) }
  // The legacy `include:` is static (import_tasks) unless it loops or names a template, as
  // ansible-core 2.14 decides (playbook/helpers.py).
  if (/^(ansible\.(builtin|legacy)\.)?include$/.test(key)) {
    const file = fileArg(raw[key])
    kind = common.loop === undefined && file !== undefined && !isTemplate(file) ? 'import_tasks' : 'include_tasks'
  }
  const problem = (message: string, hint?: string) => ctx.diagnostics.push(diagnosticAt(ctx.source, at.offset, message, hint))
  if (kind.startsWith('import') && common.loop) {
    problem(`\`${kind}\` cannot loop: it is read once, with the playbook`, `Use \`${kind.replace('import', 'include')}\` to run it per item.`)
    return undefined
  }
  const block = (tasks: readonly Task[], extra: Partial<BlockTask> = {}): BlockTask => ({ ...common, type: 'block', block: tasks, rescue: [], always: [], ...extra })
  if (kind === 'include_tasks' || kind === 'import_tasks') {
    const file = fileArg(raw[key])
    // The legacy `include: file.yml x=1` sets x for the included tasks.
    const params = typeof raw[key] === 'string' ? parseKv(String(raw[key]).trim()) : undefined
    if (params !== undefined && !('error' in params)) {
      const { file: _file, ...vars } = params.options
      if (Object.keys(vars).length > 0) common = { ...common, vars: { ...vars, ...common.vars } }
    }
    if (file === undefined) {
      problem(`\`${kind}\` needs a file name`, `\`${kind}: tasks/extra.yaml\` (relative to ${ctx.baseDir}).`)
      return undefined
    }
    const templated = isTemplate(file)
    if (templated && kind === 'import_tasks') {
      problem('`import_tasks` is read with the playbook: its file name cannot be a template', 'Use `include_tasks` for a name known only at run time.')
      return undefined
    }
    const full = resolve(ctx.baseDir, file)
    const tasks = templated ? undefined : (readTaskFile(ctx, full, at, 'tasks', normalizeTasks) as Task[] | undefined)
    if (kind === 'import_tasks') return block(tasks ?? [], { origin: 'static' })
    const include: IncludeTask = { ...common, type: 'include', file, baseDir: ctx.baseDir, label: `include_tasks: ${file}`, ...(tasks ? { tasks } : {}) }
    return include
  }
  const ref = roleArg(raw[key])
  if (ref === undefined) {
    problem(`\`${kind}\` needs a role name`, `\`${kind}: {name: web}\`; roles are searched in roles/ beside the playbook, then TEND_ROLES_PATH.`)
    return undefined
  }
  // include_role/import_role run the role every time, unlike `roles:` (once per play).
  const role = roleBlock(ctx, ref, at, { once: false, normalizeTasks, normalizeHandlers, readTaskFile })
  if (role === undefined) return undefined
  if (kind === 'import_role') return { ...role, ...common, vars: { ...role.vars, ...common.vars }, type: 'block', origin: 'static' }
  return { ...common, type: 'include', file: ref.name, baseDir: ctx.baseDir, label: `include_role: ${ref.name}`, tasks: [role] }
}

/**
 * `template: src` and `copy: src` found as Ansible finds them: a role's templates/ or files/ first,
 * then the playbook's templates/ or files/, then the playbook's directory. `copy: src` is read now
 * into `content`, kept verbatim (copy does not render the file; template does).
 */
export function resolveSource(ctx: Ctx, kind: string, args: unknown, path: Path): unknown {
  if (!isMapping(args) || typeof args.src !== 'string' || isTemplate(args.src) || isAbsolute(args.src)) return args
  const src = args.src
  const dirs = kind === 'template' ? ctx.templateDirs : kind === 'copy' ? ctx.fileDirs : undefined
  if (dirs === undefined) return args
  const found = [...dirs, ctx.playbookDir].map((d) => join(d, src)).find((f) => existsSync(f))
  if (kind === 'template') {
    if (found) ctx.diagnostics.push(...templateFileDiagnostics(found))
    return found ? { ...args, src: found } : args
  }
  if (args.content !== undefined) return args
  if (found === undefined) {
    ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, 'src']), `copy: \`${src}\` not found`, `Looked in ${[...dirs, ctx.playbookDir].join(', ')}.`))
    return args
  }
  let text: string
  try {
    text = readInputSync(found)
  } catch (error) {
    ctx.diagnostics.push(diagnosticAt(ctx.source, offsetOf(ctx.source, [...path, 'src']), `copy: cannot read \`${found}\`: ${(error as Error).message}`))
    return args
  }
  const { src: _src, ...rest } = args
  return { ...rest, content: text }
}

/** A template file named by a playbook, parsed now: its syntax errors and unknown filters are load errors. */
function templateFileDiagnostics(file: string): Diagnostic[] {
  let text: string
  try {
    text = readControllerText(file)
  } catch {
    return [] // reported when the task runs (the file may be made by an earlier task)
  }
  try {
    const { template, bodyOffsetLines } = parseTemplateFile(text, { file, line: 0, column: 0 })
    const lines = text.split('\n')
    const body = bodyOffsetLines ? text.slice(text.indexOf('\n') + 1) : text
    return unknownCallables(template).map((p) => {
      const at = positionIn(body, p.offset)
      const line = at.line + bodyOffsetLines
      return { file, line, column: at.column, message: p.message, sourceLine: lines[line - 1] ?? '' }
    })
  } catch (error) {
    if (error instanceof ConfigError) return [...error.diagnostics]
    throw error
  }
}
