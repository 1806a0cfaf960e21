import type { BlockTask, Handler, Task } from '../playbook/model.js'
import { runModuleTask, type HostEnv, type Scope } from './task.js'
import { selectedByTags } from './tags.js'
import { startReached } from './start-at.js'
import { notifiedNames, runInclude } from './include.js'
import type { Descend } from './probe-ahead.js'

/** How a list of tasks ended for a host; `stopped` means a halt or Ctrl-C cut it short. */
export type ListResult = 'ok' | 'failed' | 'unreachable' | 'stopped'

/** One host walking its tasks: where notifications collect and how it learns it must stop. */
export interface Walk {
  readonly env: HostEnv
  readonly notified: Set<string>
  readonly stopped: () => string | undefined
}

function inner(scope: Scope, block: BlockTask, rescuable: boolean): Scope {
  return {
    ...scope,
    vars: { ...scope.vars, ...block.vars },
    defaults: { ...scope.defaults, ...block.defaults },
    when: [...scope.when, ...block.when],
    tags: [...scope.tags, ...block.tags],
    ignoreErrors: scope.ignoreErrors || block.ignoreErrors,
    become: block.become ?? scope.become,
    noLog: scope.noLog || block.noLog === true,
    ...((block.timeoutSeconds ?? scope.timeoutSeconds) !== undefined && { timeoutSeconds: block.timeoutSeconds ?? scope.timeoutSeconds }),
    rescuable,
  }
}

/**
 * The tasks the host walks into at once, for taking probes ahead: a static block (a role's or an
 * import's task) with nothing to rescue; user blocks are walked into when they run.
 */
export const descend: Descend = (task, scope) =>
  task.type === 'block' && task.origin === 'static' && task.rescue.length === 0 && task.always.length === 0
    ? { tasks: task.block, scope: inner(scope, task, scope.rescuable) }
    : undefined

async function runBlock(walk: Walk, block: BlockTask, scope: Scope): Promise<ListResult> {
  const hasRescue = block.rescue.length > 0
  let result = await runTasks(walk, block.block, inner(scope, block, scope.rescuable || hasRescue))
  if (result === 'failed' && hasRescue) result = await runTasks(walk, block.rescue, inner(scope, block, scope.rescuable))
  if (result === 'unreachable') return result
  const always = await runTasks(walk, block.always, inner(scope, block, scope.rescuable))
  return result === 'ok' ? always : result
}

export async function runTask(walk: Walk, task: Task, scope: Scope): Promise<ListResult> {
  if (task.type === 'block') return runBlock(walk, task, scope)
  const { options } = walk.env.run
  if (!selectedByTags([...scope.tags, ...task.tags], options.tags, options.skipTags)) return 'ok'
  if (task.type === 'include') return runInclude(walk, task, scope, runTasks)
  if (!startReached(walk.env.run, walk.env.host.name, task)) return 'ok'
  const outcome = await runModuleTask(walk.env, task, scope, false)
  if (outcome.status === 'changed') for (const name of notifiedNames(walk.env, task, scope)) walk.notified.add(name)
  if (outcome.status === 'unreachable') return 'unreachable'
  // `rescued` is counted as such, but the block still has to run its rescue section.
  return outcome.status === 'failed' || outcome.status === 'rescued' ? 'failed' : 'ok'
}

export async function runTasks(walk: Walk, tasks: readonly Task[], scope: Scope): Promise<ListResult> {
  for (const [index, task] of tasks.entries()) {
    if (walk.stopped() !== undefined) return 'stopped'
    await walk.env.probes?.plan(tasks.slice(index), scope)
    const result = await runTask(walk, task, scope)
    if (result !== 'ok') return result
  }
  return 'ok'
}

/**
 * Notified handlers, each once, in definition order (not notification order); a handler that
 * changes may notify one defined after it.
 */
export async function runHandlers(walk: Walk, handlers: readonly Handler[], scope: Scope): Promise<ListResult> {
  for (const handler of handlers) {
    if (!walk.notified.has(handler.name) && !handler.listen.some((topic) => walk.notified.has(topic))) continue
    if (walk.env.run.options.signal.aborted) return 'stopped'
    const outcome = await runModuleTask(walk.env, handler, scope, true)
    if (outcome.status === 'changed') for (const name of notifiedNames(walk.env, handler, scope)) walk.notified.add(name)
    if (outcome.status === 'unreachable') return 'unreachable'
    if (outcome.status === 'failed') return 'failed'
  }
  return 'ok'
}
