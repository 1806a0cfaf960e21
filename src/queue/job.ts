/**
 * What travels through Redis. A batch's parent job carries what its hosts share (the play as
 * loaded, the inventory, run options, template sources); each host job names its host. A result
 * carries the host's outcome and its events exactly as the engine emitted them, so no_log tasks
 * arrive already hidden; registered values of no_log tasks are dropped before they leave the worker.
 */
import type { EngineEvent } from '../engine/events.js'
import type { Inventory, InventoryGroup, InventoryHost, Play, Vars } from '../playbook/model.js'
import type { HostOutcome, PlayPlace, RunContext } from '../engine/types.js'
import { openVars, sealVars, type SealKey } from './seal.js'
import { allTasks, walkTasks, type VisitedTask } from '../playbook/visit.js'

/** The run options a worker needs (no signal, no connect: those are the worker's own). */
export interface JobOptions {
  readonly check: boolean
  readonly diff: boolean
  readonly tags: readonly string[]
  readonly skipTags: readonly string[]
  /** Empty in Redis: the values travel in `sealedExtraVars` (seal.ts); the worker puts them back. */
  readonly extraVars: Vars
  readonly sealedExtraVars?: string
  readonly stepTimeoutSeconds: number
  readonly waitLockSeconds: number
}

export interface BatchData {
  readonly runId: string
  readonly playbookFile: string
  /** The controller's playbook directory: template sources are re-rooted under it on the worker. */
  readonly playbookDir: string
  readonly startedAt: string
  readonly play: Play
  readonly playHosts: readonly string[]
  readonly batchHosts: readonly string[]
  readonly inventory: { readonly files: readonly string[]; readonly hosts: readonly InventoryHost[]; readonly groups: readonly InventoryGroup[] }
  /** Registered results so far, per host (hostvars); never a no_log task's. */
  readonly registered: Readonly<Record<string, Readonly<Record<string, unknown>>>>
  readonly options: JobOptions
  /** Template sources by absolute controller path. */
  readonly files: Readonly<Record<string, string>>
}

export interface HostJobData {
  readonly kind?: 'host'
  readonly runId: string
  /** The controller's attempt at the run: the worker checks it against the run's fence before any change. */
  readonly attempt: string
  readonly host: string
}

/** What a worker reports while it converges a host: the controller's view of a job that may die. */
export interface HostJobProgress {
  readonly worker: string
  /** The task running now, if one is. */
  readonly task?: string
  /** Changes made so far (task, summary), in order. */
  readonly changed: readonly { readonly task: string; readonly summary: string }[]
}

/** `tend watch --queue`: one job per host per interval, made by a BullMQ job scheduler. */
export interface CycleJobData {
  readonly kind: 'cycle'
  /** Names the watch (its playbook): controllers of one watch share its schedulers. */
  readonly watchKey: string
  /** The job in the batches queue holding the watch's configuration (WatchConfigData). */
  readonly configId: string
  readonly host: string
}

/** What every host-cycle of a watch shares: the playbook as loaded, inventory, options, template sources. */
export interface WatchConfigData {
  readonly playbookFile: string
  readonly playbookDir: string
  readonly plays: readonly Play[]
  readonly inventory: BatchData['inventory']
  readonly options: JobOptions & { readonly limit?: readonly string[] }
  readonly files: Readonly<Record<string, string>>
}

export interface HostJobResult {
  readonly kind?: 'host'
  readonly outcome: HostOutcome
  readonly events: readonly EngineEvent[]
  /** This host's registered results after the play, without no_log tasks' values. */
  readonly registered: Readonly<Record<string, unknown>>
  readonly worker: string
}

export function batchData(run: RunContext, place: PlayPlace, runId: string, files: Readonly<Record<string, string>>, key: SealKey): BatchData {
  const { options } = run
  return {
    runId,
    playbookFile: run.playbookFile,
    playbookDir: run.playbookDir,
    startedAt: run.startedAt.toISOString(),
    play: place.play,
    playHosts: place.playHosts,
    batchHosts: place.batchHosts,
    inventory: { files: run.inventory.files, hosts: [...run.inventory.hosts.values()], groups: [...run.inventory.groups.values()] },
    registered: Object.fromEntries(run.registered),
    options: {
      check: options.check, diff: options.diff, tags: options.tags, skipTags: options.skipTags, extraVars: {}, sealedExtraVars: sealVars(options.extraVars, key),
      stepTimeoutSeconds: options.stepTimeoutSeconds, waitLockSeconds: options.waitLockSeconds ?? 0,
    },
    files,
  }
}

/** Job data as the worker uses it: the -e values opened again. */
export function unsealed<T extends { readonly options: JobOptions }>(data: T, key: SealKey): T {
  const { sealedExtraVars, ...options } = data.options
  return sealedExtraVars === undefined ? data : { ...data, options: { ...options, extraVars: openVars(sealedExtraVars, key) } }
}

export function inventoryOf(data: Pick<BatchData, 'inventory'>): Inventory {
  return {
    files: data.inventory.files,
    hosts: new Map(data.inventory.hosts.map((h) => [h.name, h])),
    groups: new Map(data.inventory.groups.map((g) => [g.name, g])),
  }
}

const everyTask = (play: Play) => allTasks([...play.tasks, ...play.handlers], { intoIncludes: true })

/** Whether the task or a block, include or role around it has no_log. */
function underNoLog(visited: VisitedTask): boolean {
  for (let at: VisitedTask | undefined = visited; at !== undefined; at = at.parent) if (at.task.noLog === true) return true
  return false
}

/** Names registered by no_log tasks of the play (their own no_log or an enclosing one): their values stay on the worker. */
export function secretRegisters(play: Play): ReadonlySet<string> {
  const names = new Set<string>()
  for (const visited of walkTasks([...play.tasks, ...play.handlers], { intoIncludes: true })) {
    const task = visited.task
    if (task.type === 'module' && task.register !== undefined && underNoLog(visited)) names.add(task.register)
  }
  return names
}

/** Every module task of the play, handlers included. */
export function moduleTasks(play: Play) {
  return [...everyTask(play)].filter((t) => t.type === 'module')
}

/** include_tasks whose file is only known per host at run time (read from disk when reached). */
export function dynamicIncludes(play: Play) {
  return [...everyTask(play)].filter((t) => t.type === 'include' && t.tasks === undefined)
}
