/**
 * The one walk over a task tree: blocks open into block, rescue and always; an include opens into
 * the tasks it loaded when the caller asks (`intoIncludes`). Pre-order, the order the tasks are
 * written in. Iterative, with a stack of its own: a playbook of a million tasks, or a deep nest of
 * blocks, cannot overflow the call stack.
 */
import type { IncludeTask, Task } from './model.js'

/** A task as the walk meets it, with the chain of blocks and includes it sits in. */
export interface VisitedTask {
  readonly task: Task
  /** The block or include this task is inside; undefined at the top. */
  readonly parent: VisitedTask | undefined
}

export interface WalkOptions {
  /** Whether to descend into an include's loaded tasks (default: no; an include is dynamic). */
  readonly intoIncludes?: boolean | ((include: IncludeTask) => boolean)
}

function childrenOf(task: Task, options: WalkOptions): readonly Task[] {
  if (task.type === 'block') return [...task.block, ...task.rescue, ...task.always]
  if (task.type !== 'include' || task.tasks === undefined) return []
  const into = typeof options.intoIncludes === 'function' ? options.intoIncludes(task) : options.intoIncludes === true
  return into ? task.tasks : []
}

export function* walkTasks(tasks: readonly Task[], options: WalkOptions = {}): Generator<VisitedTask> {
  const stack: VisitedTask[] = []
  const push = (list: readonly Task[], parent: VisitedTask | undefined) => {
    for (let i = list.length - 1; i >= 0; i--) stack.push({ task: list[i] as Task, parent })
  }
  push(tasks, undefined)
  while (stack.length > 0) {
    const visited = stack.pop() as VisitedTask
    yield visited
    push(childrenOf(visited.task, options), visited)
  }
}

/** Every task of the tree, blocks and includes themselves included. */
export function allTasks(tasks: readonly Task[], options: WalkOptions = {}): Task[] {
  const out: Task[] = []
  for (const { task } of walkTasks(tasks, options)) out.push(task)
  return out
}

/** The tasks that run (not the blocks that hold them): modules, and includes as themselves. */
export function leafTasks(tasks: readonly Task[], options: WalkOptions = {}): VisitedTask[] {
  const out: VisitedTask[] = []
  for (const visited of walkTasks(tasks, options)) if (visited.task.type !== 'block') out.push(visited)
  return out
}

/** The tags a task carries: its own and every enclosing block's and include's (outermost first). */
export function inheritedTags(visited: VisitedTask): string[] {
  const chain: (readonly string[])[] = []
  for (let at: VisitedTask | undefined = visited; at !== undefined; at = at.parent) chain.push(at.task.tags)
  return [...new Set(chain.reverse().flat())]
}
