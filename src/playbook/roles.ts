/**
 * Ansible roles: a directory with tasks/, handlers/, defaults/, vars/, templates/, files/ and meta/
 * (dependencies, run first). Searched in roles/ beside the playbook, then each directory of
 * TEND_ROLES_PATH (colon-separated). A role becomes a block: its vars are the block's, its defaults
 * sit below every other variable, its handlers join the play's.
 */
import { existsSync, statSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import type { BlockTask, Handler, Task, Vars } from './model.js'
import type { IncludeContext, LoadContext as Ctx, RoleLoaders as Loaders } from './load-context.js'
import { diagnosticAt, offsetOf, parseYaml, type YamlSource } from './yaml-source.js'
import { readInputSync } from './input-file.js'

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)

export interface RoleRef {
  readonly name: string
  /** Role parameters (`- {role: web, port: 80}`) and `vars:`: the role's block vars. */
  readonly params: Vars
  readonly tasksFrom?: string
  readonly varsFrom?: string
  readonly defaultsFrom?: string
  readonly handlersFrom?: string
  readonly when?: readonly string[]
  readonly tags?: readonly string[]
  /** `no_log: true` on the entry: every task of the role is hidden (a keyword, not a role parameter). */
  readonly noLog?: boolean
}

type At = { source: YamlSource; offset: number }

export function rolesPath(): string[] {
  return (process.env.TEND_ROLES_PATH ?? '').split(':').filter((d) => d !== '')
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

export function findRole(ctx: IncludeContext, name: string): { dir?: string; searched: string[] } {
  const searched = isAbsolute(name) ? [name] : [join(ctx.playbookDir, 'roles', name), ...rolesPath().map((d) => join(d, name)), join(ctx.playbookDir, name)]
  return { dir: searched.find(isDir), searched }
}

/** `main.yml`, `main.yaml` or `main` (or the `*_from` name) in one of the role's folders. */
function roleFile(dir: string, folder: string, name = 'main'): string | undefined {
  return [`${name}.yml`, `${name}.yaml`, name].map((f) => join(dir, folder, f)).find((f) => existsSync(f) && !isDir(f))
}

function readVars(ctx: Ctx, file: string | undefined): Vars {
  if (file === undefined) return {}
  const parsed = parseYaml(file, readInputSync(file))
  ctx.diagnostics.push(...parsed.diagnostics)
  if (parsed.value === null || parsed.value === undefined) return {}
  if (!isMapping(parsed.value)) {
    ctx.diagnostics.push(diagnosticAt(parsed.source, 0, 'a role\'s defaults/vars file must be a mapping of name: value'))
    return {}
  }
  return parsed.value
}

/** A `roles:` entry or a dependency: a name, or {role|name, vars, when, tags, …params}. */
export function roleRefOf(entry: unknown): RoleRef | undefined {
  if (typeof entry === 'string') return { name: entry, params: {} }
  if (!isMapping(entry)) return undefined
  const name = typeof entry.role === 'string' ? entry.role : typeof entry.name === 'string' ? entry.name : undefined
  if (name === undefined) return undefined
  const { role: _r, name: _n, vars, when, tags, no_log: noLog, ...params } = entry
  const list = (v: unknown) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(String))
  return { name, params: { ...params, ...(isMapping(vars) ? vars : {}) }, when: list(when), tags: list(tags), ...(noLog === true && { noLog: true }) }
}

function dependencies(ctx: Ctx, dir: string, loaders: Loaders, at: At): Task[] {
  const file = roleFile(dir, 'meta')
  if (file === undefined) return []
  const parsed = parseYaml(file, readInputSync(file))
  ctx.diagnostics.push(...parsed.diagnostics)
  const deps = isMapping(parsed.value) && Array.isArray(parsed.value.dependencies) ? parsed.value.dependencies : []
  return deps.flatMap((entry, i) => {
    const ref = roleRefOf(entry)
    const where = { source: parsed.source, offset: parsed.source.doc.contents ? offsetOf(parsed.source, ['dependencies', i]) : at.offset }
    if (ref === undefined) {
      ctx.diagnostics.push(diagnosticAt(parsed.source, where.offset, 'a dependency is a role name or {role: NAME, …}'))
      return []
    }
    const block = roleBlock({ ...ctx, source: parsed.source }, ref, where, { ...loaders, once: true })
    return block ? [block] : []
  })
}


/** A role as a block (dependencies first), or undefined (and a diagnostic) when it cannot be found. */
export function roleBlock(ctx: Ctx, ref: RoleRef, at: At, loaders: Loaders): BlockTask | undefined {
  const { dir, searched } = findRole(ctx, ref.name)
  if (dir === undefined) {
    ctx.diagnostics.push(diagnosticAt(at.source, at.offset, `role \`${ref.name}\` not found`, `Searched: ${searched.join(', ')}. Set TEND_ROLES_PATH for other places.`))
    return undefined
  }
  if (ctx.stack.includes(dir)) {
    ctx.diagnostics.push(diagnosticAt(at.source, at.offset, `role dependency cycle: ${[...ctx.stack.filter((s) => isDir(s)), dir].join(' → ')}`))
    return undefined
  }
  const key = `${dir}:${JSON.stringify(ref.params)}:${ref.tasksFrom ?? ''}`
  if (loaders.once && ctx.rolesSeen.has(key)) return { type: 'block', when: [], tags: [], ignoreErrors: false, vars: {}, source: refAt(at), block: [], rescue: [], always: [] }
  if (loaders.once) ctx.rolesSeen.add(key)
  const inner: Ctx = {
    ...ctx,
    stack: [...ctx.stack, dir],
    baseDir: join(dir, 'tasks'),
    templateDirs: [join(dir, 'templates'), ...ctx.templateDirs],
    fileDirs: [join(dir, 'files'), ...ctx.fileDirs],
  }
  const defaults = readVars(ctx, roleFile(dir, 'defaults', ref.defaultsFrom))
  const vars = { ...readVars(ctx, roleFile(dir, 'vars', ref.varsFrom)), ...ref.params }
  const deps = dependencies(inner, dir, loaders, at)
  const tasksFile = roleFile(dir, 'tasks', ref.tasksFrom)
  if (ref.tasksFrom !== undefined && tasksFile === undefined) {
    ctx.diagnostics.push(diagnosticAt(at.source, at.offset, `role \`${ref.name}\` has no tasks/${ref.tasksFrom}.yml`))
  }
  const tasks = tasksFile ? ((loaders.readTaskFile(inner, tasksFile, at, 'tasks', loaders.normalizeTasks, inner) ?? []) as Task[]) : []
  const handlersFile = roleFile(dir, 'handlers', ref.handlersFrom)
  // A role's handlers join the play once, however often the role runs.
  const handlersNew = handlersFile !== undefined && !ctx.rolesSeen.has(`handlers:${handlersFile}`)
  if (handlersNew) ctx.rolesSeen.add(`handlers:${handlersFile}`)
  const handlers = handlersNew ? ((loaders.readTaskFile(inner, handlersFile, at, 'handlers', loaders.normalizeHandlers, inner) ?? []) as Handler[]) : []
  // A role's handlers see its vars and defaults, as its tasks do.
  for (const h of handlers) ctx.roleHandlers.push({ ...h, vars: { ...vars, ...h.vars }, defaults: { ...defaults, ...h.defaults } })
  return {
    type: 'block',
    origin: 'static',
    when: ref.when ?? [],
    tags: ref.tags ?? [],
    ignoreErrors: false,
    ...(ref.noLog === true && { noLog: true }),
    vars,
    defaults,
    source: refAt(at),
    block: [...deps, ...tasks],
    rescue: [],
    always: [],
  }
}

function refAt(at: At) {
  const { line, col } = at.source.lineCounter.linePos(at.offset)
  return { file: at.source.file, line, column: col }
}
