import { dirname, join } from 'node:path'
import { ConfigError, type Diagnostic } from '../errors.js'
import type { Inventory, InventoryGroup, InventoryHost, SourceRef, Vars } from './model.js'
import { connectionOf } from './connection.js'
import { inventorySchema } from './schema.js'
import { compileSchema, schemaDiagnostics } from './schema-check.js'
import { readNamedVars } from './vars-files.js'
import { diagnosticAtRef, readYaml, refOf, type Path, type YamlSource } from './yaml-source.js'

/** Groups and hosts as written, before precedence is applied. */
interface Draft {
  readonly groups: Map<string, { hosts: string[]; children: string[]; vars: Record<string, unknown>; links: Map<string, SourceRef> }>
  readonly hosts: Map<string, { vars: Record<string, unknown>; source: SourceRef }>
}

type Mapping = Record<string, unknown>
const asMapping = (value: unknown): Mapping => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Mapping) : {})

function groupOf(draft: Draft, name: string) {
  let group = draft.groups.get(name)
  if (!group) draft.groups.set(name, (group = { hosts: [], children: [], vars: {}, links: new Map() }))
  return group
}

/** Walks one group definition; a group may be defined in several places, which merge. */
function walkGroup(draft: Draft, source: YamlSource, name: string, definition: unknown, path: Path): void {
  const group = groupOf(draft, name)
  const body = asMapping(definition)
  Object.assign(group.vars, asMapping(body.vars))
  for (const [host, vars] of Object.entries(asMapping(body.hosts))) {
    const existing = draft.hosts.get(host)
    if (existing) Object.assign(existing.vars, asMapping(vars))
    else draft.hosts.set(host, { vars: { ...asMapping(vars) }, source: refOf(source, [...path, 'hosts', host], true) })
    if (!group.hosts.includes(host)) group.hosts.push(host)
  }
  for (const [child, childDefinition] of Object.entries(asMapping(body.children))) {
    if (!group.children.includes(child)) group.children.push(child)
    if (!group.links.has(child)) group.links.set(child, refOf(source, [...path, 'children', child], true))
    walkGroup(draft, source, child, childDefinition, [...path, 'children', child])
  }
}

/** Each cycle once, as the path of group names, reported where its closing link is written. */
function findCycles(draft: Draft, source: YamlSource): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  const done = new Set<string>()
  const visit = (name: string, stack: string[]): void => {
    if (done.has(name)) return
    const group = draft.groups.get(name)
    for (const child of group?.children ?? []) {
      const at = stack.indexOf(child)
      if (at >= 0 || child === name) {
        const cycle = [...stack.slice(at >= 0 ? at : stack.length - 1), child]
        diagnostics.push(diagnosticAtRef(source, group!.links.get(child)!, `group cycle: ${cycle.join(' → ')}`, 'A group cannot be its own descendant; remove one of these `children:` entries.'))
      } else visit(child, [...stack, child])
    }
    done.add(name)
  }
  for (const name of draft.groups.keys()) visit(name, [name])
  return diagnostics
}

function parentsOf(draft: Draft): Map<string, string[]> {
  const parents = new Map<string, string[]>()
  for (const [name, group] of draft.groups) for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), name])
  return parents
}

/** Ansible's group depth: longest distance from `all`; shallow groups' vars are overridden by deep ones. */
function depths(draft: Draft, parents: Map<string, string[]>): Map<string, number> {
  const memo = new Map<string, number>([['all', 0]])
  const depth = (name: string): number => {
    const known = memo.get(name)
    if (known !== undefined) return known
    const d = Math.max(0, ...(parents.get(name) ?? ['all']).map((p) => depth(p) + 1))
    memo.set(name, d)
    return d
  }
  for (const name of draft.groups.keys()) depth(name)
  return memo
}

function groupsOfHost(draft: Draft, parents: Map<string, string[]>, host: string): Set<string> {
  const found = new Set<string>(['all'])
  const climb = (group: string): void => {
    if (found.has(group)) return
    found.add(group)
    for (const parent of parents.get(group) ?? []) climb(parent)
  }
  for (const [name, group] of draft.groups) if (group.hosts.includes(host)) climb(name)
  return found
}

/** Reads an Ansible YAML inventory, with host_vars/ and group_vars/ beside it. */
export async function loadInventory(file: string): Promise<Inventory> {
  const parsed = await readYaml(file)
  if (!('source' in parsed)) throw new ConfigError([parsed])
  if (!parsed.trusted) throw new ConfigError(parsed.diagnostics)
  const { source, value } = parsed
  const diagnostics: Diagnostic[] = [...parsed.diagnostics, ...schemaDiagnostics(compileSchema(inventorySchema()), value ?? {}, source)]
  const draft: Draft = { groups: new Map(), hosts: new Map() }
  groupOf(draft, 'all')
  for (const [name, definition] of Object.entries(asMapping(value))) {
    // Top-level groups besides `all` are children of `all`, as in Ansible.
    if (name !== 'all' && !draft.groups.get('all')!.children.includes(name)) draft.groups.get('all')!.children.push(name)
    walkGroup(draft, source, name, definition, [name])
  }
  diagnostics.push(...findCycles(draft, source))
  if (diagnostics.length > 0) throw new ConfigError(diagnostics)
  return resolve(file, draft)
}

async function resolve(file: string, draft: Draft): Promise<Inventory> {
  const dir = dirname(file)
  const diagnostics: Diagnostic[] = []
  const files = [file]
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
  if (diagnostics.length > 0) throw new ConfigError(diagnostics)
  const groups = new Map<string, InventoryGroup>()
  for (const [name, g] of draft.groups) {
    groups.set(name, { name, hosts: name === 'all' ? [...draft.hosts.keys()] : g.hosts, children: g.children, vars: { ...g.vars, ...groupFiles.get(name) } })
  }
  return { files: [...new Set(files)], hosts, groups }
}
