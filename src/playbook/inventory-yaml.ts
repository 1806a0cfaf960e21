import type { Diagnostic } from '../errors.js'
import { addChild, addHost, groupOf, type Draft } from './inventory-draft.js'
import { expandHostRange, splitHostPort } from './host-ranges.js'
import { inventorySchema } from './schema.js'
import { compileSchema, schemaDiagnostics } from './schema-check.js'
import { diagnosticAtRef, refOf, type Path, type YamlSource } from './yaml-source.js'

type Mapping = Record<string, unknown>
const asMapping = (value: unknown): Mapping => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Mapping) : {})

/** Walks one group definition; a group may be defined in several places, which merge. */
function walkGroup(draft: Draft, source: YamlSource, name: string, definition: unknown, path: Path, diagnostics: Diagnostic[]): void {
  const group = groupOf(draft, name)
  const body = asMapping(definition)
  Object.assign(group.vars, asMapping(body.vars))
  for (const [written, vars] of Object.entries(asMapping(body.hosts))) {
    const where = refOf(source, [...path, 'hosts', written], true)
    // Host keys may be ranges (`web[01:20]`) and carry a port (`db1:2222`), as Ansible's yaml plugin.
    const { name: pattern, port } = splitHostPort(written)
    const names = expandHostRange(pattern)
    if ('error' in names) {
      diagnostics.push(diagnosticAtRef(source, where, names.error, 'Ranges look like `web[01:20]` (inclusive, leading zeros kept) or `db-[a:c]`.'))
      continue
    }
    for (const host of names) addHost(draft, name, host, { ...asMapping(vars), ...(port !== undefined ? { ansible_port: port } : {}) }, where)
  }
  for (const [child, childDefinition] of Object.entries(asMapping(body.children))) {
    addChild(draft, name, child, refOf(source, [...path, 'children', child], true))
    walkGroup(draft, source, child, childDefinition, [...path, 'children', child], diagnostics)
  }
}

/** Ansible's YAML inventory into the draft; returns its diagnostics. */
export function readYamlInventory(draft: Draft, source: YamlSource, value: unknown): Diagnostic[] {
  const diagnostics: Diagnostic[] = [...schemaDiagnostics(compileSchema(inventorySchema()), value ?? {}, source)]
  for (const [name, definition] of Object.entries(asMapping(value))) {
    groupOf(draft, name, refOf(source, [name], true))
    walkGroup(draft, source, name, definition, [name], diagnostics)
  }
  return diagnostics
}
