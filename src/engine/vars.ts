import { randomBytes } from 'node:crypto'
import type { InventoryHost, SourceRef, Vars } from '../playbook/model.js'
import { Authored } from '../template/authored.js'
import { HOST_DATA, isTemplate, type TaintedVars } from '../template/playbook.js'
import { hostDataOf } from './state.js'
import type { PlayPlace, RunContext } from './types.js'


/**
 * The value `omit` stands for; args whose rendered value is exactly this are dropped. Random per
 * run (as Ansible's is per process), so no host output can equal it and delete an argument.
 */
export const OMIT = `__omit_place_holder__${randomBytes(20).toString('hex')}`

const groupsCache = new WeakMap<RunContext['inventory'], Readonly<Record<string, readonly string[]>>>()

/** `groups`: every group with its hosts (the inventory never changes during a run: computed once). */
function groupsOf(run: RunContext): Readonly<Record<string, readonly string[]>> {
  const cached = groupsCache.get(run.inventory)
  if (cached) return cached
  const groups: Record<string, string[]> = { all: [...run.inventory.hosts.keys()] }
  for (const group of run.inventory.groups.values()) groups[group.name] = [...group.hosts]
  for (const host of run.inventory.hosts.values()) {
    for (const name of host.groups) if (!groups[name]?.includes(host.name)) (groups[name] ??= []).push(host.name)
  }
  groupsCache.set(run.inventory, groups)
  return groups
}

/**
 * `hostvars`: every host's variables, built only for the host a template actually looks up, so a
 * task on a large inventory does not copy every host's vars.
 */
function hostvarsOf(run: RunContext): Readonly<Record<string, Vars>> {
  const varsOf = (name: string): Vars | undefined => {
    const host = run.inventory.hosts.get(name)
    return host && { ...host.vars, ...run.registered.get(name), inventory_hostname: name }
  }
  return new Proxy({} as Record<string, Vars>, {
    get: (_, name) => (typeof name === 'string' ? varsOf(name) : undefined),
    has: (_, name) => typeof name === 'string' && run.inventory.hosts.has(name),
    ownKeys: () => [...run.inventory.hosts.keys()],
    getOwnPropertyDescriptor: (_, name) =>
      typeof name === 'string' && run.inventory.hosts.has(name)
        ? { value: varsOf(name), enumerable: true, configurable: true, writable: false }
        : undefined,
  })
}

/** Ansible's magic variables (model.ts MAGIC_VARIABLES): defined on every host, never "undefined". */
function magicVars(run: RunContext, host: InventoryHost, place: PlayPlace): Vars {
  return {
    inventory_hostname: host.name,
    inventory_hostname_short: host.name.split('.')[0],
    group_names: host.groups.filter((g) => g !== 'all' && g !== 'ungrouped'),
    groups: groupsOf(run),
    hostvars: hostvarsOf(run),
    play_hosts: place.playHosts,
    ansible_play_hosts: place.playHosts,
    ansible_play_batch: place.batchHosts,
    ansible_check_mode: run.options.check,
    ansible_diff_mode: run.options.diff,
    playbook_dir: run.playbookDir,
    omit: OMIT,
  }
}

/**
 * A task's variables, lowest to highest: inventory host vars < play vars < block vars < task vars
 * < registered results < extra vars; the magic variables sit on top because they name facts.
 * Declared variables that hold templates stay as their authors wrote them (Authored) and are
 * rendered when a template reads them, in this task's variables, once (Ansible renders lazily
 * too). Registered results, hostvars and extra vars are data: never rendered.
 */
export function taskVars(run: RunContext, host: InventoryHost, place: PlayPlace, blockVars: Vars, ownVars: Vars, where: SourceRef): Vars {
  const declared: Record<string, unknown> = { ...host.vars, ...place.play.vars, ...blockVars, ...ownVars }
  for (const [key, value] of Object.entries(declared)) if (hasTemplate(value)) declared[key] = new Authored(value, where)
  const vars: TaintedVars = { ...declared, ...run.registered.get(host.name), ...run.options.extraVars, ...magicVars(run, host, place) }
  vars[HOST_DATA] = hostDataOf(run, host.name)
  return vars
}

const hasTemplate = (value: unknown): boolean =>
  typeof value === 'string' ? isTemplate(value)
    : Array.isArray(value) ? value.some(hasTemplate)
    : value !== null && typeof value === 'object' && Object.values(value).some(hasTemplate)

/** Drops object keys whose rendered value is `{{ omit }}` (Ansible's omit). */
export function withoutOmitted(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== OMIT).map(withoutOmitted)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value).filter(([, v]) => v !== OMIT)
  return Object.fromEntries(entries.map(([k, v]) => [k, withoutOmitted(v)]))
}
