/**
 * What the playbook loader's parts hand each other while reading tasks, includes and roles. A
 * role's tasks are tasks, so reading a role needs the task normalizer (tasks.ts), which itself
 * reads includes and roles: that recursion is passed down as `RoleLoaders`, and its types live
 * here, below all three files, so no file imports one that imports it back.
 */
import type { Diagnostic } from '../errors.js'
import type { BecomeSpec, Handler, Task } from './model.js'
import type { Path, YamlSource } from './yaml-source.js'

/**
 * Numbers the tasks of one play as they are read: `prefix` + 1, 2, … (`2.` for play 2; a dynamic
 * include's tasks extend its own number, `2.5.`).
 */
export interface TaskNumbering {
  readonly prefix: string
  next: number
}

/** Where the loader finds files relative to the tasks it is reading. */
export interface IncludeContext {
  /** Absent: the tasks get no index (e.g. a file read outside any play). */
  readonly numbering?: TaskNumbering
  /** Directory a relative include_tasks/import_tasks file resolves against (the current file's). */
  readonly baseDir: string
  /** Where `template: src` is looked up first (a role's templates/, the playbook's templates/). */
  readonly templateDirs: readonly string[]
  /** Where `copy: src` is looked up first (a role's files/, the playbook's files/). */
  readonly fileDirs: readonly string[]
  readonly playbookDir: string
  /** Files and roles being read on the way here: an include of one of them is a cycle. */
  readonly stack: readonly string[]
  /** Handlers of the roles met; the play runs them with its own. */
  readonly roleHandlers: Handler[]
  /** Roles already run in this play with the same parameters (Ansible runs such a role once). */
  readonly rolesSeen: Set<string>
}

/** The loader's context while it reads one file: where diagnostics go, the become around it. */
export interface LoadContext extends IncludeContext {
  readonly source: YamlSource
  readonly diagnostics: Diagnostic[]
  readonly become?: BecomeSpec
}

export type NormalizeTasks = (ctx: LoadContext, raw: unknown, path: Path) => Task[]
export type NormalizeHandlers = (ctx: LoadContext, raw: unknown, path: Path) => Handler[]

/** Reads a task (or handler) file: includes.ts's readTaskFile. */
export type ReadTaskFile = (
  ctx: LoadContext, file: string, at: { source: YamlSource; offset: number }, what: 'tasks' | 'handlers',
  normalize: NormalizeTasks | NormalizeHandlers, extra?: Partial<IncludeContext>,
) => (Task | Handler)[] | undefined

/** How a role's files become tasks and handlers, and whether the role runs once per play. */
export interface RoleLoaders {
  /** `roles:` and dependencies run a role once per play; include_role/import_role every time. */
  readonly once: boolean
  readonly normalizeTasks: NormalizeTasks
  readonly normalizeHandlers: NormalizeHandlers
  readonly readTaskFile: ReadTaskFile
}
