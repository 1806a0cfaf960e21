import type { BlockTask, Handler, IncludeTask, ModuleTask, Task } from '../playbook/model.js'
import type { MetaAction } from '../modules/actions.js'
import { metaConditionHolds, runModuleTask } from './task.js'
import { selectedByTags } from './tags.js'
import { startReached } from './start-at.js'
import { includedParts, notifiedNames } from './include.js'
import { inner, playScope } from './block-scope.js'
import type { ListResult, Scope, Walk } from './types.js'
import { yieldToEventLoop } from './yield.js'



async function runBlock(walk: Walk, block: BlockTask, scope: Scope): Promise<ListResult> {
  const hasRescue = block.rescue.length > 0
  let result = await runTasks(walk, block.block, inner(scope, block, scope.rescuable || hasRescue))
  if (result === 'failed' && hasRescue) result = await runTasks(walk, block.rescue, inner(scope, block, scope.rescuable))
  if (result === 'unreachable') return result
  const always = await runTasks(walk, block.always, inner(scope, block, scope.rescuable))
  return result === 'ok' ? always : result
}

async function runInclude(walk: Walk, task: IncludeTask, scope: Scope): Promise<ListResult> {
  const parts = includedParts(walk, task, scope)
  for (let next = await parts.next(); ; next = await parts.next()) {
    if (next.done === true) return next.value
    const result = await runTasks(walk, next.value.tasks, next.value.scope)
    if (result !== 'ok') {
      await parts.return(result)
      return result
    }
  }
}

/** Ansible's `meta:` tasks; like Ansible's they emit no task events (flushed handlers emit theirs). */
async function runMeta(walk: Walk, task: ModuleTask, scope: Scope): Promise<ListResult> {
  if (!metaConditionHolds(walk.env, task, scope)) return 'ok'
  const action = (task.args as { free_form?: MetaAction }).free_form
  if (action === 'flush_handlers') return walk.notified.size === 0 ? 'ok' : runHandlers(walk, walk.env.place.play.handlers, playScope(walk.env.place))
  if (action === 'end_host' || action === 'end_play') walk.ended = action
  // noop, clear_host_errors (a failed host has already stopped in tend), refresh_inventory (read once per run).
  return 'ok'
}

export async function runTask(walk: Walk, task: Task, scope: Scope): Promise<ListResult> {
  if (task.type === 'block') return runBlock(walk, task, scope)
  const { options } = walk.env.run
  if (!selectedByTags([...scope.tags, ...task.tags], options.tags, options.skipTags)) return 'ok'
  if (task.type === 'include') return runInclude(walk, task, scope)
  if (!startReached(walk.env.run, walk.env.host.name, task)) return 'ok'
  if (task.module === 'meta') return runMeta(walk, task, scope)
  const outcome = await runModuleTask(walk.env, task, scope, false)
  if (outcome.status === 'changed') for (const name of notifiedNames(walk.env, task, scope)) walk.notified.add(name)
  if (outcome.status === 'unreachable') return 'unreachable'
  // `rescued` is counted as such, but the block still has to run its rescue section.
  return outcome.status === 'failed' || outcome.status === 'rescued' ? 'failed' : 'ok'
}

export async function runTasks(walk: Walk, tasks: readonly Task[], scope: Scope): Promise<ListResult> {
  for (const [index, task] of tasks.entries()) {
    // Controller-only tasks never wait on I/O: let signals in between them.
    await yieldToEventLoop()
    if (walk.stopped() !== undefined) return 'stopped'
    if (walk.ended !== undefined) return 'ok'
    await walk.env.probes?.plan(walk.env, tasks, scope, index)
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
  const ran: Handler[] = []
  try {
    for (const handler of handlers) {
      await yieldToEventLoop()
      if (!walk.notified.has(handler.name) && !handler.listen.some((topic) => walk.notified.has(topic))) continue
      if (walk.env.run.options.signal.aborted) return 'stopped'
      ran.push(handler)
      const outcome = await runModuleTask(walk.env, handler, scope, true)
      if (outcome.status === 'changed') for (const name of notifiedNames(walk.env, handler, scope)) walk.notified.add(name)
      if (outcome.status === 'unreachable') return 'unreachable'
      if (outcome.status === 'failed') return 'failed'
    }
    return 'ok'
  } finally {
    // A flushed notification is spent: notified again later, the handler runs again at the next flush.
    for (const handler of ran) for (const name of [handler.name, ...handler.listen]) walk.notified.delete(name)
  }
}
