import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Diagnostic } from '../errors.js'
import type { Vars } from './model.js'
import { connectionVariables } from './schema.js'
import { compileSchema, schemaDiagnostics } from './schema-check.js'
import { diagnosticAt, readYaml } from './yaml-source.js'
import { unsafeName } from './names.js'

/** What a group_vars/host_vars entry or a vars_files entry contributed. */
export interface VarsFromFiles {
  readonly vars: Vars
  readonly files: readonly string[]
  readonly diagnostics: readonly Diagnostic[]
}

export const varsFileSchema = { type: 'object', properties: connectionVariables, description: 'A mapping of variables.' }
const validateVars = compileSchema(varsFileSchema)

async function kindOf(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const info = await stat(path)
    return info.isDirectory() ? 'dir' : info.isFile() ? 'file' : undefined
  } catch {
    return undefined
  }
}

/** Reads one YAML file that must hold a mapping of variables. */
export async function readVarsFile(file: string): Promise<VarsFromFiles> {
  const parsed = await readYaml(file)
  if (!('source' in parsed)) return { vars: {}, files: [file], diagnostics: [parsed] }
  const { value, source } = parsed
  if (value === null || value === undefined || !parsed.trusted) return { vars: {}, files: [file], diagnostics: parsed.diagnostics }
  const diagnostics = [...parsed.diagnostics, ...schemaDiagnostics(validateVars, value, source)]
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { vars: {}, files: [file], diagnostics: [diagnosticAt(source, 0, 'a variables file must be a mapping of name: value')] }
  }
  return { vars: value as Vars, files: [file], diagnostics }
}

const YAML_FILE = /\.(ya?ml|json)$/

/**
 * Ansible's host_vars/NAME and group_vars/NAME: NAME.yaml, NAME.yml, NAME.json, NAME, or a
 * directory NAME/ whose YAML files are merged in name order.
 */
export async function readNamedVars(dir: string, name: string): Promise<VarsFromFiles> {
  // The inventory refused such names already (names.ts); a name is never a path, whoever calls.
  if (unsafeName(name) !== undefined) return { vars: {}, files: [], diagnostics: [] }
  const results: VarsFromFiles[] = []
  for (const candidate of ['.yaml', '.yml', '.json', ''].map((ext) => join(dir, name + ext))) {
    const kind = await kindOf(candidate)
    if (kind === 'file') results.push(await readVarsFile(candidate))
    if (kind === 'dir') {
      const entries = (await readdir(candidate)).filter((f) => YAML_FILE.test(f)).sort()
      for (const entry of entries) results.push(await readVarsFile(join(candidate, entry)))
    }
  }
  return {
    vars: Object.assign({}, ...results.map((r) => r.vars)) as Vars,
    files: results.flatMap((r) => r.files),
    diagnostics: results.flatMap((r) => r.diagnostics),
  }
}
