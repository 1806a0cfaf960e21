import type { Diagnostic } from '../errors.js'
import type { SourceRef } from './model.js'
import { quotedName, UNSAFE_NAME_HINT, unsafeName } from './names.js'
import { withSourceLine } from './yaml-source.js'

/**
 * Groups and hosts as written, before precedence is applied. Every inventory format (YAML, INI,
 * a dynamic script's JSON, several files of a directory) adds to one draft; they merge as in Ansible.
 */
export interface DraftGroup {
  hosts: string[]
  children: string[]
  vars: Record<string, unknown>
  links: Map<string, SourceRef>
  /** Where the group is first named (its key, section header, or the script that printed it). */
  source?: SourceRef
}

export interface Draft {
  readonly groups: Map<string, DraftGroup>
  readonly hosts: Map<string, { vars: Record<string, unknown>; source: SourceRef }>
}

export function newDraft(): Draft {
  const draft: Draft = { groups: new Map(), hosts: new Map() }
  groupOf(draft, 'all')
  groupOf(draft, 'ungrouped')
  return draft
}

export function groupOf(draft: Draft, name: string, where?: SourceRef): DraftGroup {
  let group = draft.groups.get(name)
  if (!group) draft.groups.set(name, (group = { hosts: [], children: [], vars: {}, links: new Map() }))
  if (where !== undefined) group.source ??= where
  return group
}

/** A host in a group (its vars merge with earlier definitions of the same host). */
export function addHost(draft: Draft, group: string, host: string, vars: Record<string, unknown>, source: SourceRef): void {
  const existing = draft.hosts.get(host)
  if (existing) Object.assign(existing.vars, vars)
  else draft.hosts.set(host, { vars: { ...vars }, source })
  const g = groupOf(draft, group, source)
  if (!g.hosts.includes(host)) g.hosts.push(host)
}

/**
 * Host and group names that could not be file names (names.ts), each reported where it is
 * written: the inventory's file:line:column, or the script that printed it.
 */
export function unsafeNames(draft: Draft): Diagnostic[] {
  const found: Diagnostic[] = []
  const report = (kind: string, name: string, where: SourceRef | undefined): void => {
    const problem = unsafeName(name)
    if (problem === undefined) return
    const from = where ?? { file: '', line: 0, column: 0 }
    const script = from.line === 0 ? ' (printed by the inventory script)' : ''
    found.push(withSourceLine({ ...from, message: `inventory ${kind} name ${quotedName(name)} ${problem}${script}`, hint: UNSAFE_NAME_HINT }))
  }
  for (const [name, group] of draft.groups) report('group', name, group.source)
  for (const [name, host] of draft.hosts) report('host', name, host.source)
  return found
}

export function addChild(draft: Draft, parent: string, child: string, where: SourceRef): void {
  const group = groupOf(draft, parent)
  groupOf(draft, child, where)
  if (!group.children.includes(child)) group.children.push(child)
  if (!group.links.has(child)) group.links.set(child, where)
}

/**
 * Ansible's implicit groups: every group but `all` is a child of `all` unless it has another
 * parent, and a host in no group besides `all` is in `ungrouped`.
 */
export function finishDraft(draft: Draft): void {
  const all = groupOf(draft, 'all')
  const hasParent = new Set([...draft.groups.entries()].filter(([n]) => n !== 'all').flatMap(([, g]) => g.children))
  for (const name of draft.groups.keys()) {
    if (name !== 'all' && !hasParent.has(name) && !all.children.includes(name)) all.children.push(name)
  }
  const grouped = new Set([...draft.groups.entries()].filter(([n]) => n !== 'all' && n !== 'ungrouped').flatMap(([, g]) => g.hosts))
  const ungrouped = groupOf(draft, 'ungrouped')
  for (const host of draft.hosts.keys()) if (!grouped.has(host) && !ungrouped.hosts.includes(host)) ungrouped.hosts.push(host)
  ungrouped.hosts = ungrouped.hosts.filter((h) => !grouped.has(h))
  all.hosts = []
}

/** Each cycle once, as the path of group names, reported where its closing link is written. */
export function findCycles(draft: Draft): Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  const done = new Set<string>()
  const visit = (name: string, stack: string[]): void => {
    if (done.has(name)) return
    const group = draft.groups.get(name)
    for (const child of group?.children ?? []) {
      const at = stack.indexOf(child)
      if (at >= 0 || child === name) {
        const cycle = [...stack.slice(at >= 0 ? at : stack.length - 1), child]
        const where = group!.links.get(child) ?? { file: '', line: 0, column: 0 }
        diagnostics.push(withSourceLine({ ...where, message: `group cycle: ${cycle.join(' → ')}`, hint: 'A group cannot be its own descendant; remove one of these `children:` entries.' }))
      } else visit(child, [...stack, child])
    }
    done.add(name)
  }
  for (const name of draft.groups.keys()) visit(name, [name])
  return diagnostics
}

export function parentsOf(draft: Draft): Map<string, string[]> {
  const parents = new Map<string, string[]>()
  for (const [name, group] of draft.groups) for (const child of group.children) parents.set(child, [...(parents.get(child) ?? []), name])
  return parents
}

/** Ansible's group depth: longest distance from `all`; shallow groups' vars are overridden by deep ones. */
export function depths(draft: Draft, parents: Map<string, string[]>): Map<string, number> {
  const memo = new Map<string, number>([['all', 0]])
  const depth = (name: string, seen: Set<string>): number => {
    const known = memo.get(name)
    if (known !== undefined) return known
    if (seen.has(name)) return 0
    seen.add(name)
    const d = Math.max(0, ...(parents.get(name) ?? ['all']).map((p) => depth(p, seen) + 1))
    memo.set(name, d)
    return d
  }
  for (const name of draft.groups.keys()) depth(name, new Set())
  return memo
}

export function groupsOfHost(draft: Draft, parents: Map<string, string[]>, host: string): Set<string> {
  const found = new Set<string>(['all'])
  const climb = (group: string): void => {
    if (found.has(group)) return
    found.add(group)
    for (const parent of parents.get(group) ?? []) climb(parent)
  }
  for (const [name, group] of draft.groups) if (group.hosts.includes(host)) climb(name)
  return found
}
