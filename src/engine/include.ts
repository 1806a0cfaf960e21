/**
 * include_tasks/include_role when reached: `when` and the loop judged per item; each included
 * item is counted once (`ok`), as Ansible's "included:" lines are; a file named by a template is
 * read now. Its tasks run with the item bound as data. Also: `notify` names rendered per host.
 */
import { ignoresErrors } from './task.js'
import { ConfigError } from '../errors.js'
import { resolve as resolvePath } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { IncludeTask, ModuleTask, Task, Vars } from '../playbook/model.js'
import { loadIncludedTasks } from '../playbook/include-load.js'
import { evaluateCondition, hostDataRead, renderValue } from '../template/playbook.js'
import { isTemplate } from '../template/playbook.js'
import { itemData, itemLabel, loopItems } from './loop.js'
import { hidden, outcomeOfError, type TaskOutcome } from './outcome.js'
import { taskVars } from './vars.js'
import type { HostEnv, ListResult, Scope, Walk } from './types.js'

function varsOf(env: HostEnv, scope: Scope, own: Vars, where: ModuleTask['source']): Vars {
  const defined = (key: string) => key in env.host.vars || key in env.place.play.vars
  const defaults = Object.fromEntries(Object.entries(scope.defaults ?? {}).filter(([k]) => !defined(k)))
  return { ...taskVars(env.run, env.host, env.place, { ...defaults, ...scope.vars }, own, where), ...scope.data }
}

/** `notify: "restart {{ unit }}"` names the handler per host. */
export function notifiedNames(env: HostEnv, task: ModuleTask, scope: Scope): string[] {
  if (!task.notify.some(isTemplate)) return [...task.notify]
  const vars = varsOf(env, scope, task.vars, task.source)
  // A name that cannot render notifies nothing by that name (validation already checked its variables).
  return task.notify.map((n) => {
    if (!isTemplate(n)) return n
    try {
      return String(renderValue(n, vars, task.notifySource ?? task.source))
    } catch {
      return n
    }
  })
}

/** An include under no_log (its own, or a block's around it) shows its status only: no result, no message. */
function emitEnd(env: HostEnv, task: IncludeTask, name: string, started: number, given: TaskOutcome, noLog: boolean): void {
  const base = { play: env.place.play.name, host: env.host.name, task: name, handler: false }
  const outcome = noLog ? hidden(given) : given
  env.run.emit({ type: 'task-start', ...base })
  env.run.emit({
    type: 'task-end', ...base, module: name.split(':', 1)[0] as string,
    ...(task.index !== undefined && { index: task.index }), status: outcome.status, changes: [],
    ...(outcome.message !== undefined ? { message: outcome.message } : {}),
    durationMs: Date.now() - started, ...(!noLog && { result: outcome.result }),
  })
}

async function tasksOf(task: IncludeTask, vars: Vars, scope: Scope): Promise<{ tasks: readonly Task[]; path?: string }> {
  if (task.tasks) return { tasks: task.tasks }
  const chosenBy = hostDataRead(task.file, vars)
  if (chosenBy !== undefined) {
    throw new ConfigError([{
      ...task.source,
      message: `task "${task.label}": the file \`${task.file}\` is chosen by \`${chosenBy}\`, a value from the host; a host must not pick a controller file`,
      hint: 'Name the tasks file in the playbook; choose between files you wrote with `when:`.',
    }])
  }
  const file = String(renderValue(task.file, vars, task.source))
  const path = resolvePath(task.baseDir, file)
  const chain = scope.includes ?? []
  if (chain.includes(path)) {
    throw new ConfigError([{
      ...task.source,
      message: `task "${task.label}": including ${file} again is a cycle (${[...chain, path].join(' → ')})`,
      hint: 'An included file must not include itself, directly or through others.',
    }])
  }
  return { tasks: await loadIncludedTasks(file, task.baseDir, task.source, task.index), path }
}

/** The tasks an include brings, with their scope: one part per loop item whose `when` holds. */
export interface IncludedPart {
  readonly tasks: readonly Task[]
  readonly scope: Scope
}

/**
 * Walks an include: yields each part for the caller to run (tasks.ts), and returns how the include
 * itself ended (a file that cannot load fails it). The caller stops early when a part does not end ok.
 */
export async function* includedParts(walk: Walk, task: IncludeTask, scope: Scope): AsyncGenerator<IncludedPart, ListResult> {
  const env = walk.env
  const started = Date.now()
  const vars = varsOf(env, scope, task.vars, task.source)
  const noLog = scope.noLog || task.noLog === true
  const fail = (error: unknown): ListResult => {
    const outcome = outcomeOfError(error)
    let ignored = false
    try {
      ignored = ignoresErrors(task, scope, vars)
    } catch {
      // A templated ignore_errors that is not a boolean does not absorb the failure.
    }
    emitEnd(env, task, task.label, started, ignored ? { ...outcome, status: 'ignored' } : outcome, noLog)
    return ignored ? 'ok' : 'failed'
  }
  let items: { item: unknown; data: Vars; label?: string }[]
  try {
    items = task.loop === undefined ? [{ item: undefined, data: {} }]
      : loopItems(task.loop, vars).map((item, i, all) => {
          const data = itemData(task.loop!, item, i, all.length)
          return { item, data, label: itemLabel(task.loop!, { ...vars, ...data }, item) }
        })
  } catch (error) {
    return fail(error)
  }
  let included = 0
  for (const [index, { data, label }] of items.entries()) {
    if (walk.stopped() !== undefined) return 'stopped'
    if (index > 0 && (task.loop?.pauseSeconds ?? 0) > 0) await sleep(task.loop!.pauseSeconds * 1000, undefined, { signal: env.run.options.signal }).catch(() => undefined)
    const itemVars = { ...vars, ...data }
    let tasks: readonly Task[]
    let path: string | undefined
    try {
      // The include's own `when` (and the blocks' around it) decides per item; included tasks do not inherit it.
      if (![...scope.when, ...task.when].every((c) => evaluateCondition(c, itemVars, task.source))) continue
      ;({ tasks, path } = await tasksOf(task, itemVars, scope))
    } catch (error) {
      return fail(error)
    }
    included++
    // Under no_log an item's label is hidden too (Ansible prints `(item=None)`): it may be the secret.
    const name = label === undefined ? task.label : `${task.label} (item=${noLog ? 'hidden: no_log' : label})`
    emitEnd(env, task, name, started, { status: 'ok', changes: [], result: { changed: false, include: task.file } }, noLog)
    const includes = path === undefined ? scope.includes : [...(scope.includes ?? []), path]
    // no_log on the include covers every task it brings, at any depth.
    const inner: Scope = { ...scope, when: [], vars: { ...scope.vars, ...task.vars }, data: { ...scope.data, ...data }, noLog, ...(includes ? { includes } : {}) }
    yield { tasks, scope: inner }
  }
  if (included === 0) emitEnd(env, task, task.label, started, { status: 'skipped', changes: [], message: 'when: false for every item', result: { changed: false, skipped: true } }, noLog)
  return 'ok'
}

