/**
 * The frozen plan of a run, written to the state store when it starts: what it read (content
 * hashes of the playbook, vars files and inventory files), the inventory snapshot, the batch plan
 * per play, the rollout policies, and the options `tend resume` needs to go on the same way.
 * Like Terraform's saved plan, a resume refuses it once an input changed (unless --replan).
 */
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Inventory, Playbook, RolloutPolicy } from '../playbook/model.js'
import { selectHosts } from '../playbook/patterns.js'
import { batchesOf } from './batches.js'
import { gateNames } from './gates.js'
import { budgetOf } from './policy.js'

export type InputRole = 'playbook' | 'vars file' | 'inventory' | 'extra vars file'

export interface HashedFile {
  readonly path: string
  readonly role: InputRole
  /** sha256 of the content, or `missing`. */
  readonly sha256: string
}

export interface PlannedPlay {
  readonly name: string
  readonly hosts: readonly string[]
  readonly batches: readonly (readonly string[])[]
  readonly rollout?: RolloutPolicy
  readonly errorBudget?: number
  readonly gates: readonly string[]
}

/**
 * `-e` as a plan keeps it: never a value. `tend resume` is given the -e again and checks each
 * variable against its digest; a resume command shows `shown`.
 */
export interface RecordedExtraVars {
  /** The arguments with their values left out: `token=…`, `@vars.yaml`, `{"a": …}`. */
  readonly shown: readonly string[]
  /** Per variable of the merged -e, a keyed digest of its value (src/state/secrets.ts). */
  readonly digests: Readonly<Record<string, string>>
}

/**
 * The flags a resume reuses. Extra vars as a RecordedExtraVars; a plain list is a plan frozen by
 * an older tend, which kept the arguments as given (a resume reads them, then replaces them).
 */
export interface PlanOptions {
  readonly inventory: string
  readonly limit?: string
  readonly tags: readonly string[]
  readonly skipTags: readonly string[]
  readonly extraVars: RecordedExtraVars | readonly string[]
  readonly forks: number
  readonly stepTimeoutSeconds: number
  readonly diff: boolean
  readonly acceptNewHostKeys: boolean
}

export interface FrozenPlan {
  readonly version: 1
  /** Where the run was started: relative paths (@FILE, --limit @FILE) resolve from here. */
  readonly cwd: string
  readonly playbook: string
  readonly check: boolean
  readonly files: readonly HashedFile[]
  readonly inventory: { readonly sha256: string; readonly hosts: readonly string[] }
  readonly plays: readonly PlannedPlay[]
  readonly options: PlanOptions
}

const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex')

function hashFile(path: string, role: InputRole): HashedFile {
  try {
    return { path, role, sha256: sha256(readFileSync(path)) }
  } catch {
    return { path, role, sha256: 'missing' }
  }
}

/** Every input file, once, in a stable order. */
function inputFiles(playbook: Playbook, inventory: Inventory, options: PlanOptions): HashedFile[] {
  const seen = new Set<string>()
  const files: HashedFile[] = []
  const add = (path: string, role: InputRole) => {
    const abs = resolve(path)
    if (!seen.has(abs)) files.push(hashFile(abs, role)), seen.add(abs)
  }
  add(playbook.file, 'playbook')
  for (const play of playbook.plays) for (const file of play.varsFiles ?? []) add(file, 'vars file')
  for (const file of inventory.files) add(file, 'inventory')
  // An older plan's -e @FILE was hashed here; -e values are now digested per variable (keyed).
  if (isLegacyExtraVars(options.extraVars)) for (const arg of options.extraVars) if (arg.startsWith('@')) add(arg.slice(1), 'extra vars file')
  return files
}

/** The batches each play would run, if no host went down in an earlier play. */
function plannedPlays(playbook: Playbook, inventory: Inventory, limit: ReadonlySet<string> | undefined): PlannedPlay[] {
  return playbook.plays.map((play) => {
    const hosts = selectHosts(inventory, play.hosts).filter((h) => limit?.has(h) ?? true)
    const errorBudget = budgetOf(play.rollout, hosts.length)
    return {
      name: play.name, hosts, batches: batchesOf(hosts, play.serial),
      ...(play.rollout !== undefined && { rollout: play.rollout }), ...(errorBudget !== undefined && { errorBudget }),
      gates: gateNames(play),
    }
  })
}

export function freezePlan(playbook: Playbook, inventory: Inventory, limit: ReadonlySet<string> | undefined, options: PlanOptions, check: boolean): FrozenPlan {
  const hosts = [...inventory.hosts.values()]
  const snapshot = JSON.stringify(hosts.map((h) => [h.name, h.groups, h.connection, h.vars]))
  return {
    version: 1, cwd: process.cwd(), playbook: resolve(playbook.file), check,
    files: inputFiles(playbook, inventory, options),
    inventory: { sha256: sha256(snapshot), hosts: hosts.map((h) => h.name) },
    plays: plannedPlays(playbook, inventory, limit),
    options: { ...options, inventory: resolve(options.inventory) },
  }
}

/** Input files of the frozen plan whose content changed or that are gone: checked before loading. */
export function staleFiles(frozen: FrozenPlan): InputChange[] {
  return frozen.files.flatMap((file) => {
    const now = hashFile(file.path, file.role)
    return now.sha256 === file.sha256 ? [] : [{ path: file.path, what: `${file.role} ${now.sha256 === 'missing' ? 'is gone' : 'changed'}` }]
  })
}

/** An input that differs from the frozen plan: the file, and what happened to it. */
export interface InputChange {
  readonly path: string
  readonly what: string
}

/** What changed since the plan was frozen: each file whose content differs, is gone or is new. */
export function changedInputs(frozen: FrozenPlan, now: FrozenPlan): InputChange[] {
  // -e files are compared by their variables' digests (the resume command does), not here.
  const inputs = (plan: FrozenPlan) => plan.files.filter((f) => f.role !== 'extra vars file')
  const before = new Map(inputs(frozen).map((f) => [f.path, f]))
  const changes: InputChange[] = []
  for (const file of inputs(now)) {
    const old = before.get(file.path)
    if (old === undefined) changes.push({ path: file.path, what: `${file.role} is read now, not when the plan was frozen` })
    else if (old.sha256 !== file.sha256) changes.push({ path: file.path, what: `${file.role} ${file.sha256 === 'missing' ? 'is gone' : 'changed'}` })
  }
  const read = new Set(inputs(now).map((f) => f.path))
  for (const file of inputs(frozen)) if (!read.has(file.path)) changes.push({ path: file.path, what: `${file.role} is no longer read` })
  if (changes.length === 0 && frozen.inventory.sha256 !== now.inventory.sha256) {
    changes.push({ path: now.options.inventory, what: 'inventory resolves to other hosts or variables' })
  }
  return changes
}

export function isLegacyExtraVars(extraVars: PlanOptions['extraVars']): extraVars is readonly string[] {
  return Array.isArray(extraVars)
}

/** One -e argument with its values left out: `@FILE` as it is, `k=…`, `{"a": …, "b": …}`. */
export function maskedExtraVar(arg: string): string {
  if (arg.startsWith('@')) return arg
  const equals = arg.indexOf('=')
  if (!arg.trimStart().startsWith('{')) return equals > 0 ? `${arg.slice(0, equals)}=…` : '…'
  try {
    const names = Object.keys(JSON.parse(arg) as object)
    return `{${names.map((n) => `${JSON.stringify(n)}: …`).join(', ')}}`
  } catch {
    return '{…}'
  }
}

/** The -e of a recorded plan as a resume command shows them (placeholders for values), from any plan shape. */
export function shownExtraVars(plan: unknown): readonly string[] {
  const extraVars = (plan as { options?: { extraVars?: unknown } } | null)?.options?.extraVars
  if (Array.isArray(extraVars)) return extraVars.filter((a): a is string => typeof a === 'string').map(maskedExtraVar)
  const shown = (extraVars as { shown?: unknown } | undefined)?.shown
  return Array.isArray(shown) ? shown.filter((a): a is string => typeof a === 'string') : []
}

/** The plan as `tend runs` shows it: the extra variables by name, never their values or digests. */
export function shownPlan(plan: FrozenPlan): unknown {
  const { extraVars: _extraVars, ...options } = plan.options
  return { ...plan, options: { ...options, extraVars: shownExtraVars(plan) } }
}
