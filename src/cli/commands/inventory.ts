/**
 * `tend inventory`: the hosts a pattern selects (one per line), `--list` (ansible-inventory's
 * JSON: groups, then `_meta.hostvars`) or `--graph` (ansible-inventory's tree).
 */
import { ExitCode } from '../../exit-codes.js'
import type { Inventory } from '../../playbook/model.js'
import { loadInventory } from '../../playbook/load.js'
import { DEFAULT_INVENTORY, type InventoryFlags } from '../flags.js'
import { resolveLimit } from '../limit.js'
import { visible } from '../render/visible.js'

interface GroupTree {
  readonly hosts: readonly string[]
  readonly children: readonly string[]
}

/** Groups as Ansible shows them: `all` at the root, hosts in no group under `ungrouped`. */
function groupTree(inventory: Inventory, selected: ReadonlySet<string>): Map<string, GroupTree> {
  const tree = new Map<string, GroupTree>()
  const named = [...inventory.groups.values()].filter((g) => g.name !== 'all' && g.name !== 'ungrouped')
  const isChild = new Set(named.flatMap((g) => g.children))
  const grouped = new Set(named.flatMap((g) => g.hosts))
  const ungrouped = [...inventory.hosts.keys()].filter((h) => selected.has(h) && !grouped.has(h))
  for (const group of named) {
    tree.set(group.name, { hosts: group.hosts.filter((h) => selected.has(h)), children: group.children })
  }
  const top = named.filter((g) => !isChild.has(g.name)).map((g) => g.name)
  tree.set('ungrouped', { hosts: ungrouped, children: [] })
  tree.set('all', { hosts: [], children: ['ungrouped', ...top] })
  return tree
}

/** Whether a group shows anything under the selection (a limit hides groups it empties). */
function hasHosts(tree: Map<string, GroupTree>, name: string, seen = new Set<string>()): boolean {
  const group = tree.get(name)
  if (group === undefined || seen.has(name)) return false
  seen.add(name)
  return group.hosts.length > 0 || group.children.some((c) => hasHosts(tree, c, seen))
}

function listJson(inventory: Inventory, selected: ReadonlySet<string>): string {
  const tree = groupTree(inventory, selected)
  const out: Record<string, unknown> = {
    _meta: { hostvars: Object.fromEntries([...selected].map((h) => [h, inventory.hosts.get(h)?.vars ?? {}])) },
  }
  for (const [name, group] of tree) {
    if (name !== 'all' && !hasHosts(tree, name)) continue
    const children = group.children.filter((c) => hasHosts(tree, c))
    out[name] = { ...(children.length > 0 ? { children } : {}), ...(group.hosts.length > 0 ? { hosts: group.hosts } : {}) }
  }
  return JSON.stringify(out, null, 4)
}

function graph(tree: Map<string, GroupTree>, name: string, depth: number, path: readonly string[]): string[] {
  const group = tree.get(name)
  if (group === undefined || path.includes(name) || (name !== 'all' && !hasHosts(tree, name))) return []
  const prefix = (d: number) => (d === 0 ? '' : '  |'.repeat(d) + '--')
  const lines = [`${prefix(depth)}@${name}:`]
  for (const child of group.children) lines.push(...graph(tree, child, depth + 1, [...path, name]))
  for (const host of group.hosts) lines.push(`${prefix(depth + 1)}${host}`)
  return lines
}

export async function inventoryCommand(flags: InventoryFlags): Promise<number> {
  const inventory = await loadInventory(flags.inventory ?? DEFAULT_INVENTORY)
  const selected = flags.limit === undefined ? new Set<string>(inventory.hosts.keys()) : await resolveLimit(inventory, flags.limit)
  let text: string
  // Names are data (a dynamic inventory's): shown with control characters visible, exact in JSON.
  if (flags.graph) text = visible(graph(groupTree(inventory, selected), 'all', 0, []).join('\n'))
  else if (flags.list) text = listJson(inventory, selected)
  else text = visible([...selected].join('\n'))
  process.stdout.write(text + '\n')
  return ExitCode.ok
}
