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

/** The flags a resume reuses. Extra vars are kept as the operator gave them and never printed. */
export interface PlanOptions {
  readonly inventory: string
  readonly limit?: string
  readonly tags: readonly string[]
  readonly skipTags: readonly string[]
  readonly extraVars: readonly string[]
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
  for (const arg of options.extraVars) if (arg.startsWith('@')) add(arg.slice(1), 'extra vars file')
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
  const before = new Map(frozen.files.map((f) => [f.path, f]))
  const changes: InputChange[] = []
  for (const file of now.files) {
    const old = before.get(file.path)
    if (old === undefined) changes.push({ path: file.path, what: `${file.role} is read now, not when the plan was frozen` })
    else if (old.sha256 !== file.sha256) changes.push({ path: file.path, what: `${file.role} ${file.sha256 === 'missing' ? 'is gone' : 'changed'}` })
  }
  const read = new Set(now.files.map((f) => f.path))
  for (const file of frozen.files) if (!read.has(file.path)) changes.push({ path: file.path, what: `${file.role} is no longer read` })
  if (changes.length === 0 && frozen.inventory.sha256 !== now.inventory.sha256) {
    changes.push({ path: now.options.inventory, what: 'inventory resolves to other hosts or variables' })
  }
  return changes
}

/** The plan as `tend runs` shows it: the extra variables (which may hold secrets) are not. */
export function shownPlan(plan: FrozenPlan): unknown {
  const { extraVars, ...options } = plan.options
  return { ...plan, options: { ...options, extraVars: `${extraVars.length} given (not shown)` } }
}
