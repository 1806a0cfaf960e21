import { dirname, join, resolve } from 'node:path'
import { ConfigError, type Diagnostic } from '../errors.js'
import type { BatchSize, BecomeSpec, Handler, ModuleTask, Play, Playbook, RolloutPolicy, SourceRef, Vars } from './model.js'
import { playbookSchemaWith } from './schema.js'
import { compileSchema } from './schema-check.js'
import { becomeOf, normalizeHandlers, normalizeTasks, templateFeatureDiagnostics, templateSources, type TaskContext } from './tasks.js'
import { flagOf } from './flags.js'
import { flattenStatic, playRoles, importPlaybook, isImport, playbookDiagnostics, withRoleVars } from './play-imports.js'
import { isTemplate, renderValue } from '../template/playbook.js'
import { readVarsFile } from './vars-files.js'
import { playBoundDiagnostics } from './bounds.js'
import { readYaml, refOf, diagnosticAt, offsetOf, type Path, type YamlSource } from './yaml-source.js'

export { loadInventory } from './inventory.js'

type Mapping = Record<string, unknown>
const isMapping = (value: unknown): value is Mapping => value !== null && typeof value === 'object' && !Array.isArray(value)

/** One batch size as Ansible reads it: a number, "30%", or text of digits ("2"). */
function batchSizeOf(value: unknown): BatchSize | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value
  if (typeof value !== 'string') return undefined
  if (/^\s*\d+\s*$/.test(value) && Number(value) >= 1) return Number(value)
  return /^(100|[1-9]?[0-9])(\.[0-9]+)?%$/.test(value.trim()) ? (value.trim() as `${number}%`) : undefined
}

/**
 * `serial`, with templates rendered as Ansible renders them: with the play's variables and the
 * extra variables (no host's), when the play starts; here, once, since both are known now.
 */
function serialOf(source: YamlSource, raw: unknown, vars: Vars, path: Path, diagnostics: Diagnostic[]): BatchSize[] {
  if (raw === undefined || raw === null) return []
  const where = refOf(source, path)
  let value: unknown = raw
  try {
    value = renderValue(raw, vars, where)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    diagnostics.push(...error.diagnostics.map((d) => ({ ...d, ...where, message: `serial: ${d.message}` })))
    return []
  }
  const sizes = (Array.isArray(value) ? value : [value]).map(batchSizeOf)
  if (sizes.every((s) => s !== undefined)) return sizes as BatchSize[]
  // A literal value the schema already reported; a rendered one is reported here.
  if (isTemplate(raw) || (Array.isArray(raw) && raw.some(isTemplate))) {
    diagnostics.push(diagnosticAt(source, offsetOf(source, path), `\`serial: ${JSON.stringify(raw)}\` rendered to ${JSON.stringify(value)}, which is not a batch size`, 'An integer of 1 or more, a percentage like "30%", or a list of them.'))
  }
  return []
}

function rolloutOf(raw: unknown): RolloutPolicy | undefined {
  if (!isMapping(raw)) return undefined
  const budget = raw.error_budget
  return {
    ...(typeof budget === 'number' || typeof budget === 'string' ? { errorBudget: budget as RolloutPolicy['errorBudget'] } : {}),
    pauseSeconds: typeof raw.pause === 'number' ? raw.pause : 0,
    recheck: raw.recheck === true,
  }
}

/** vars_files, relative to the playbook; a templated path is rendered with play vars and extra vars. */
async function readVarsFiles(source: YamlSource, raw: unknown, path: Path, vars: Vars, diagnostics: Diagnostic[], files: string[]): Promise<Vars> {
  if (!Array.isArray(raw)) return {}
  const merged: Record<string, unknown> = {}
  for (const [i, entry] of raw.entries()) {
    if (typeof entry !== 'string') continue
    const where = refOf(source, [...path, i])
    let name: string
    try {
      name = String(renderValue(entry, vars, where))
    } catch (error) {
      if (error instanceof ConfigError) diagnostics.push(...error.diagnostics)
      continue
    }
    const file = resolve(dirname(source.file), name)
    files.push(file)
    const read = await readVarsFile(file)
    const missing = read.diagnostics.find((d) => d.line === 0 && d.file === file)
    if (missing) diagnostics.push(diagnosticAt(source, offsetOf(source, [...path, i]), `vars_files: cannot read \`${name}\`: ${missing.message}`, `Paths are relative to the playbook's directory (${dirname(source.file)}).`))
    else diagnostics.push(...read.diagnostics)
    Object.assign(merged, read.vars)
  }
  return merged
}

function gatherFactsTask(source: SourceRef): ModuleTask {
  return {
    type: 'module', name: 'Gathering Facts', module: 'facts', args: {}, argsSource: source, source,
    when: [], tags: ['always'], ignoreErrors: false, vars: {}, notify: [], retries: 0, delaySeconds: 0, noLog: false,
  }
}

async function normalizePlay(source: YamlSource, raw: unknown, index: number, extraVars: Vars, diagnostics: Diagnostic[], stack: readonly string[]): Promise<Play | undefined> {
  if (!isMapping(raw)) return undefined
  const path = [index]
  const playbookDir = dirname(resolve(source.file))
  const inline = (isMapping(raw.vars) ? raw.vars : {}) as Vars
  const varsFiles: string[] = []
  const fromFiles = await readVarsFiles(source, raw.vars_files, [...path, 'vars_files'], { ...inline, ...extraVars }, diagnostics, varsFiles)
  const rollout = rolloutOf(raw.rollout)
  diagnostics.push(...playBoundDiagnostics(source, raw, path))
  const become: BecomeSpec | undefined = becomeOf(flagOf(source, diagnostics, raw, 'become', path), raw.become_user, undefined)
  const roleHandlers: Handler[] = []
  const ctx: TaskContext = {
    source, diagnostics, ...(become ? { become } : {}),
    baseDir: playbookDir, playbookDir, templateDirs: [join(playbookDir, 'templates')], fileDirs: [join(playbookDir, 'files')],
    stack: [...stack, resolve(source.file)], roleHandlers, rolesSeen: new Set(), numbering: { prefix: `${index + 1}.`, next: 0 },
  }
  // Ansible's order: pre_tasks, roles, tasks, post_tasks (tend runs handlers once, at the end).
  const playTemplates = templateSources(source, { vars: raw.vars ?? {} }, path)
  diagnostics.push(...templateFeatureDiagnostics(source, playTemplates))
  const roles = playRoles(ctx, raw.roles, [...path, 'roles'])
  // Roles on a play share their defaults and vars with the whole play, as Ansible's do.
  const shared = withRoleVars(roles)
  const sections = [
    normalizeTasks(ctx, raw.pre_tasks, [...path, 'pre_tasks']).map(shared.task),
    [...roles, ...normalizeTasks(ctx, raw.tasks, [...path, 'tasks']).map(shared.task)],
    normalizeTasks(ctx, raw.post_tasks, [...path, 'post_tasks']).map(shared.task),
  ].map((section) => section.flatMap(flattenStatic))
  const tasks = sections.flat()
  const handlers = [...roleHandlers, ...normalizeHandlers(ctx, raw.handlers, [...path, 'handlers']).map(shared.handler)]
  // gather_facts is a task of its own, first, counted like Ansible's "Gathering Facts".
  if (raw.gather_facts === true) tasks.unshift(gatherFactsTask(refOf(source, [...path, 'gather_facts'], true)))
  // Handlers flush after pre_tasks and after roles + tasks (Ansible's Play.compile); the last
  // flush, after post_tasks, is the end of the play. An empty section adds no flush of its own.
  const first = raw.gather_facts === true ? 1 : 0
  const preEnd = first + sections[0]!.length - 1
  const mainEnd = preEnd + sections[1]!.length
  const handlerFlushes = [...new Set([preEnd, mainEnd])].filter((at) => at >= 0 && at < tasks.length - 1)
  const name = typeof raw.name === 'string' ? raw.name : typeof raw.hosts === 'string' ? raw.hosts : `play ${index + 1}`
  return {
    name,
    hosts: typeof raw.hosts === 'string' ? raw.hosts : '',
    // vars_files override vars, as in Ansible.
    vars: { ...inline, ...fromFiles },
    serial: serialOf(source, raw.serial, { ...inline, ...fromFiles, ...extraVars }, [...path, 'serial'], diagnostics),
    ...(typeof raw.max_fail_percentage === 'number' ? { maxFailPercentage: raw.max_fail_percentage } : {}),
    anyErrorsFatal: raw.any_errors_fatal === true,
    ...(rollout ? { rollout } : {}),
    ...(varsFiles.length > 0 ? { varsFiles } : {}),
    strategy: raw.strategy === 'free' ? 'free' : 'linear',
    ...(become ? { become } : {}),
    ...(typeof raw.check_mode === 'boolean' ? { checkMode: raw.check_mode } : {}),
    ...(raw.environment !== undefined && raw.environment !== null ? { environment: raw.environment } : {}),
    tasks,
    handlers,
    ...(handlerFlushes.length > 0 && { handlerFlushes }),
    ...(raw.gather_facts === true ? { gatherFacts: true } : {}),
    forceHandlers: raw.force_handlers === true,
    source: refOf(source, path),
    hostsSource: refOf(source, [...path, 'hosts']),
    templateSources: playTemplates,
  }
}

/** Parses, schema-checks and normalizes a playbook; throws ConfigError carrying every problem found. */
export async function loadPlaybook(file: string, options: { extraVars?: Vars } = {}): Promise<Playbook> {
  const diagnostics: Diagnostic[] = []
  const plays = await readPlays(file, options.extraVars ?? {}, diagnostics, [])
  if (diagnostics.length > 0 || plays === undefined) throw new ConfigError(dedupe(diagnostics))
  return { file, plays }
}

/** The plays of one playbook file, `import_playbook` entries replaced by the imported plays. */
async function readPlays(file: string, extraVars: Vars, diagnostics: Diagnostic[], stack: readonly string[], from?: Diagnostic): Promise<Play[] | undefined> {
  const parsed = await readYaml(file, from)
  if (!('source' in parsed)) {
    diagnostics.push(parsed)
    return undefined
  }
  const { source, value } = parsed
  diagnostics.push(...parsed.diagnostics)
  if (!parsed.trusted) return undefined
  if (value === null || value === undefined) {
    diagnostics.push(diagnosticAt(source, 0, 'the playbook is empty', 'A playbook is a list of plays: `- hosts: all` with `tasks:`.'))
    return undefined
  }
  diagnostics.push(...playbookDiagnostics(source, value, compileSchema(playbookSchemaWith(true))))
  const plays: Play[] = []
  for (const [i, raw] of (Array.isArray(value) ? value : []).entries()) {
    if (isImport(raw)) {
      const imported = await importPlaybook(source, raw, i, stack, diagnostics, (f, at) => readPlays(f, extraVars, diagnostics, [...stack, resolve(file)], at))
      plays.push(...imported)
      continue
    }
    const play = await normalizePlay(source, raw, i, extraVars, diagnostics, stack)
    if (play) plays.push(play)
  }
  return plays
}

/** Sorted by position; the same problem found twice (e.g. by the schema and the task check) once. */
function dedupe(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>()
  return [...diagnostics]
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
    .filter((d) => {
      const key = `${d.file}:${d.line}:${d.column}:${d.message}`
      return seen.has(key) ? false : (seen.add(key), true)
    })
}
