/**
 * Play-level reuse: `roles:` on a play and `- import_playbook: other.yaml` entries (their plays
 * take the entry's place, with its `vars`). Also the play-level migration check: Ansible play
 * keywords tend lacks are reported with what to do instead, in place of "unknown key".
 */
import { dirname, resolve } from 'node:path'
import type { ValidateFunction } from 'ajv'
import type { Diagnostic } from '../errors.js'
import type { Handler, Play, Task, Vars } from './model.js'
import { MISSING_PLAY_KEYWORDS } from './ansible-keywords.js'
import { readTaskFile } from './includes.js'
import { roleBlock, roleRefOf } from './roles.js'
import { schemaDiagnostics } from './schema-check.js'
import { normalizeHandlers, normalizeTasks, type TaskContext } from './tasks.js'
import { diagnosticAt, offsetOf, type Path, type YamlSource } from './yaml-source.js'

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)

export function isImport(raw: unknown): raw is Mapping {
  return isMapping(raw) && ('import_playbook' in raw || 'ansible.builtin.import_playbook' in raw)
}

/** Schema problems of the plays (import entries are checked on their own), with Ansible hints. */
export function playbookDiagnostics(source: YamlSource, value: unknown, validate: ValidateFunction): Diagnostic[] {
  const plays = Array.isArray(value) ? value.map((p) => (isImport(p) ? { hosts: 'import' } : p)) : value
  const out = schemaDiagnostics(validate, plays, source)
  const hinted: Diagnostic[] = []
  for (const [i, play] of (Array.isArray(value) ? value : []).entries()) {
    if (!isMapping(play) || isImport(play)) continue
    for (const key of Object.keys(play)) {
      const instead = MISSING_PLAY_KEYWORDS[key]
      if (instead === undefined) continue
      hinted.push(diagnosticAt(source, offsetOf(source, [i, key], true), `Ansible's play keyword \`${key}\` is not in tend`, `${instead}.`))
    }
  }
  const taken = new Set(hinted.map((d) => `${d.line}:${d.column}`))
  return [...out.filter((d) => !(taken.has(`${d.line}:${d.column}`) && d.message.startsWith('unknown key'))), ...hinted]
}

const IMPORT_KEYS = new Set(['import_playbook', 'ansible.builtin.import_playbook', 'name', 'vars'])

export async function importPlaybook(
  source: YamlSource, raw: Mapping, index: number, stack: readonly string[], diagnostics: Diagnostic[],
  read: (file: string, at: Diagnostic) => Promise<Play[] | undefined>,
): Promise<Play[]> {
  const key = 'import_playbook' in raw ? 'import_playbook' : 'ansible.builtin.import_playbook'
  for (const k of Object.keys(raw)) {
    if (!IMPORT_KEYS.has(k)) diagnostics.push(diagnosticAt(source, offsetOf(source, [index, k], true), `\`${k}\` on import_playbook is not supported by tend`, 'Put it on the imported plays or their tasks; import_playbook takes `vars` here.'))
  }
  const name = raw[key]
  const at = diagnosticAt(source, offsetOf(source, [index, key]), 'import_playbook: cannot read the playbook')
  if (typeof name !== 'string' || name.includes('{{')) {
    diagnostics.push({ ...at, message: 'import_playbook needs a file name (not a template)' })
    return []
  }
  const file = resolve(dirname(source.file), name)
  if (stack.includes(file) || file === resolve(source.file)) {
    diagnostics.push({ ...at, message: `import_playbook cycle: ${name} imports itself (directly or through others)` })
    return []
  }
  const plays = (await read(file, { ...at, message: `import_playbook: cannot read \`${name}\`` })) ?? []
  const vars = isMapping(raw.vars) ? raw.vars : {}
  return plays.map((p) => ({ ...p, vars: { ...vars, ...p.vars } }))
}

/** A play's `roles:` as blocks, in order, each role once per play (as Ansible). */
export function playRoles(ctx: TaskContext, raw: unknown, path: Path): Task[] {
  if (!Array.isArray(raw)) return []
  return raw.flatMap((entry, i) => {
    const at = { source: ctx.source, offset: offsetOf(ctx.source, [...path, i]) }
    const ref = roleRefOf(entry)
    if (ref === undefined) {
      ctx.diagnostics.push(diagnosticAt(ctx.source, at.offset, 'a role is a name or {role: NAME, vars: …}', 'Roles are searched in roles/ beside the playbook, then TEND_ROLES_PATH.'))
      return []
    }
    const block = roleBlock(ctx, ref, at, { once: true, normalizeTasks, normalizeHandlers, readTaskFile })
    return block ? [block] : []
  })
}

/**
 * The play's other tasks see the defaults and vars of its `roles:` (Ansible's roles are not
 * private by default). Each task is wrapped on its own, so linear lockstep stays per task.
 */
export function withRoleVars(roles: readonly Task[]): { task: (t: Task) => Task; handler: (h: Handler) => Handler } {
  const defaults = Object.assign({}, ...roles.map((r) => r.defaults ?? {})) as Vars
  const vars = Object.assign({}, ...roles.map((r) => r.vars)) as Vars
  if (Object.keys(defaults).length === 0 && Object.keys(vars).length === 0) return { task: (t) => t, handler: (h) => h }
  return {
    task: (t) => ({ type: 'block', origin: 'static', when: [], tags: [], ignoreErrors: false, vars, defaults, source: t.source, block: [t], rescue: [], always: [] }),
    handler: (h) => ({ ...h, vars: { ...vars, ...h.vars }, defaults: { ...defaults, ...h.defaults } }),
  }
}

/**
 * A play's top-level tasks with roles and imports opened up: each of their tasks becomes a top-level
 * task wrapped in the role's (or import's) block, so hosts move through them in linear lockstep one
 * task at a time, as in Ansible. The block's own templates are checked once, on its first task.
 */
export function flattenStatic(task: Task): Task[] {
  if (task.type !== 'block' || task.origin !== 'static' || task.rescue.length > 0 || task.always.length > 0) return [task]
  return task.block.flatMap(flattenStatic).map((leaf, i) => ({ ...task, origin: undefined, block: [leaf], ...(i > 0 ? { templateSources: {} } : {}) }))
}
