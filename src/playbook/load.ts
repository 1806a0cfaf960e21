import { dirname, resolve } from 'node:path'
import { ConfigError, type Diagnostic } from '../errors.js'
import type { BatchSize, BecomeSpec, Play, Playbook, RolloutPolicy, Vars } from './model.js'
import { playbookSchemaWith } from './schema.js'
import { compileSchema, schemaDiagnostics } from './schema-check.js'
import { normalizeHandlers, normalizeTasks, templateSources } from './tasks.js'
import { renderValue } from './template.js'
import { readVarsFile } from './vars-files.js'
import { readYaml, refOf, diagnosticAt, offsetOf, type Path, type YamlSource } from './yaml-source.js'

export { loadInventory } from './inventory.js'

type Mapping = Record<string, unknown>
const isMapping = (value: unknown): value is Mapping => value !== null && typeof value === 'object' && !Array.isArray(value)

function serialOf(value: unknown): BatchSize[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'number' ? v : (String(v) as `${number}%`)))
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

async function normalizePlay(source: YamlSource, raw: unknown, index: number, extraVars: Vars, diagnostics: Diagnostic[]): Promise<Play | undefined> {
  if (!isMapping(raw)) return undefined
  const path = [index]
  const inline = (isMapping(raw.vars) ? raw.vars : {}) as Vars
  const varsFiles: string[] = []
  const fromFiles = await readVarsFiles(source, raw.vars_files, [...path, 'vars_files'], { ...inline, ...extraVars }, diagnostics, varsFiles)
  const rollout = rolloutOf(raw.rollout)
  const become: BecomeSpec | undefined = raw.become === true ? { user: typeof raw.become_user === 'string' ? raw.become_user : 'root' } : undefined
  const ctx = { source, diagnostics, ...(become ? { become } : {}) }
  const name = typeof raw.name === 'string' ? raw.name : typeof raw.hosts === 'string' ? raw.hosts : `play ${index + 1}`
  return {
    name,
    hosts: typeof raw.hosts === 'string' ? raw.hosts : '',
    // vars_files override vars, as in Ansible.
    vars: { ...inline, ...fromFiles },
    serial: serialOf(raw.serial),
    ...(typeof raw.max_fail_percentage === 'number' ? { maxFailPercentage: raw.max_fail_percentage } : {}),
    anyErrorsFatal: raw.any_errors_fatal === true,
    ...(rollout ? { rollout } : {}),
    ...(varsFiles.length > 0 ? { varsFiles } : {}),
    strategy: raw.strategy === 'free' ? 'free' : 'linear',
    ...(become ? { become } : {}),
    tasks: normalizeTasks(ctx, raw.tasks, [...path, 'tasks']),
    handlers: normalizeHandlers(ctx, raw.handlers, [...path, 'handlers']),
    forceHandlers: raw.force_handlers === true,
    source: refOf(source, path),
    hostsSource: refOf(source, [...path, 'hosts']),
    templateSources: templateSources(source, { vars: raw.vars ?? {} }, path),
  }
}

/** Parses, schema-checks and normalizes a playbook; throws ConfigError carrying every problem found. */
export async function loadPlaybook(file: string, options: { extraVars?: Vars } = {}): Promise<Playbook> {
  const parsed = await readYaml(file)
  if (!('source' in parsed)) throw new ConfigError([parsed])
  const { source, value } = parsed
  if (!parsed.trusted) throw new ConfigError(parsed.diagnostics)
  const diagnostics: Diagnostic[] = [...parsed.diagnostics]
  if (value === null || value === undefined) {
    diagnostics.push(diagnosticAt(source, 0, 'the playbook is empty', 'A playbook is a list of plays: `- hosts: all` with `tasks:`.'))
    throw new ConfigError(diagnostics)
  }
  diagnostics.push(...schemaDiagnostics(compileSchema(playbookSchemaWith(true)), value, source))
  const plays: Play[] = []
  for (const [i, raw] of (Array.isArray(value) ? value : []).entries()) {
    const play = await normalizePlay(source, raw, i, options.extraVars ?? {}, diagnostics)
    if (play) plays.push(play)
  }
  if (diagnostics.length > 0) throw new ConfigError(dedupe(diagnostics))
  return { file, plays }
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
