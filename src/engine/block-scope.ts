import type { BlockTask } from '../playbook/model.js'
import type { Descend, PlayPlace, Scope } from './types.js'

/** The scope of a play's top-level tasks and its handlers. */
export function playScope(place: PlayPlace): Scope {
  return {
    vars: {}, when: [], tags: [], ignoreErrors: false, become: place.play.become, noLog: false, rescuable: false,
    ...(place.play.checkMode !== undefined && { checkMode: place.play.checkMode }),
    ...(place.play.environment !== undefined && { environment: [place.play.environment] }),
  }
}

/** The scope a block's tasks run in: the block's keywords over the scope around it. */
export function inner(scope: Scope, block: BlockTask, rescuable: boolean): Scope {
  return {
    ...scope,
    vars: { ...scope.vars, ...block.vars },
    defaults: { ...scope.defaults, ...block.defaults },
    when: [...scope.when, ...block.when],
    tags: [...scope.tags, ...block.tags],
    ignoreErrors: scope.ignoreErrors || block.ignoreErrors,
    ...(block.ignoreErrorsTemplate !== undefined && { ignoreErrorsTemplates: [...(scope.ignoreErrorsTemplates ?? []), block.ignoreErrorsTemplate] }),
    become: block.become ?? scope.become,
    noLog: scope.noLog || block.noLog === true,
    ...((block.checkMode ?? scope.checkMode) !== undefined && { checkMode: block.checkMode ?? scope.checkMode }),
    ...(block.environment !== undefined && { environment: [...(scope.environment ?? []), block.environment] }),
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
