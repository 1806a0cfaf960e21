import { access, constants, readdir, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { ConfigError, type Diagnostic } from '../errors.js'
import type { Inventory, InventoryGroup, InventoryHost, Vars } from './model.js'
import { connectionOf } from './connection.js'
import { depths, finishDraft, findCycles, groupsOfHost, newDraft, parentsOf, unsafeNames, type Draft } from './inventory-draft.js'
import { looksLikeIni, readIniInventory } from './inventory-ini.js'
import { readScriptInventory } from './inventory-script.js'
import { readYamlInventory } from './inventory-yaml.js'
import { readNamedVars } from './vars-files.js'
import { parseYaml, withoutBom, withSourceLine } from './yaml-source.js'
import { readInput } from './input-file.js'

/** Ansible's inventory_ignore_extensions, plus the vars directories of an inventory directory. */
const IGNORED = /(~|\.orig|\.bak|\.cfg|\.retry|\.pyc|\.pyo|\.md|\.txt)$/
const VARS_DIRS = new Set(['group_vars', 'host_vars'])

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/** One inventory source into the draft, by what it is: a script, INI or YAML (from its content). */
async function readSource(draft: Draft, file: string): Promise<Diagnostic[]> {
  let text: string
  try {
    text = withoutBom(await readInput(file))
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message
    return [{ file, line: 0, column: 0, message: reason }]
  }
  // A script is executable and says how to run it (`#!` or a binary); a YAML/INI file that merely
  // has its execute bit set (a checkout on some filesystems) is read as what it is.
  if ((text.startsWith('#!') || text.startsWith('\x7fELF')) && (await isExecutable(file))) return readScriptInventory(draft, file)
  if (looksLikeIni(text)) return readIniInventory(draft, file, text)
  const parsed = parseYaml(file, text)
  if (!parsed.trusted) return [...parsed.diagnostics]
  return [...parsed.diagnostics, ...readYamlInventory(draft, parsed.source, parsed.value)]
}

/** The files of an inventory directory, in name order, as Ansible reads them. */
async function sourcesIn(dir: string): Promise<string[]> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !e.name.startsWith('.') && !IGNORED.test(e.name) && !VARS_DIRS.has(e.name))
  return entries.map((e) => join(dir, e.name)).sort()
}

/**
 * Reads an Ansible inventory: a YAML or INI file (told apart by content), an executable printing
 * JSON, or a directory of such files; host_vars/ and group_vars/ beside the file or in the directory.
 */
export async function loadInventory(path: string): Promise<Inventory> {
  const info = await stat(path).catch(() => undefined)
  const isDir = info?.isDirectory() === true
  const files = isDir ? await sourcesIn(path) : [path]
  const draft = newDraft()
  const diagnostics: Diagnostic[] = []
  if (isDir && files.length === 0) diagnostics.push({ file: path, line: 0, column: 0, message: 'the inventory directory holds no inventory file' })
  for (const file of files) diagnostics.push(...(await readSource(draft, file)))
  finishDraft(draft)
  diagnostics.push(...unsafeNames(draft))
  diagnostics.push(...findCycles(draft))
  if (diagnostics.length > 0) throw new ConfigError(diagnostics)
  return resolve(isDir ? path : dirname(path), files, draft)
}

async function resolve(dir: string, sourceFiles: readonly string[], draft: Draft): Promise<Inventory> {
  const diagnostics: Diagnostic[] = []
  const files = [...sourceFiles]
  const parents = parentsOf(draft)
  const depth = depths(draft, parents)
  const groupFiles = new Map<string, Vars>()
  for (const name of draft.groups.keys()) {
    const read = await readNamedVars(join(dir, 'group_vars'), name)
    diagnostics.push(...read.diagnostics)
    files.push(...read.files)
    groupFiles.set(name, read.vars)
  }
  const hosts = new Map<string, InventoryHost>()
  for (const [name, host] of draft.hosts) {
    const read = await readNamedVars(join(dir, 'host_vars'), name)
    diagnostics.push(...read.diagnostics)
    files.push(...read.files)
    const groups = [...groupsOfHost(draft, parents, name)].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || (a === 'all' ? -1 : b === 'all' ? 1 : a.localeCompare(b)))
    // Ansible's order: inline group vars (by depth) < group_vars/all < group_vars/* < inline host vars < host_vars/*.
    const vars: Vars = Object.assign(
      {},
      ...groups.map((g) => draft.groups.get(g)?.vars ?? {}),
      ...groups.map((g) => groupFiles.get(g) ?? {}),
      host.vars,
      read.vars,
    )
    const connection = connectionOf(name, vars, host.source)
    if ('message' in connection) diagnostics.push(connection)
    else hosts.set(name, { name, vars, groups, connection })
  }
  if (diagnostics.length > 0) throw new ConfigError(diagnostics.map(withSourceLine))
  const groups = new Map<string, InventoryGroup>()
  for (const [name, g] of draft.groups) {
    groups.set(name, { name, hosts: name === 'all' ? [...draft.hosts.keys()] : g.hosts, children: g.children, vars: { ...g.vars, ...groupFiles.get(name) } })
  }
  return { files: [...new Set(files)], hosts, groups }
}
