import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError } from '../errors.js'
import { modules } from '../modules/index.js'
import type { AnyModule } from '../modules/types.js'
import type { BecomeSpec, InventoryHost, ModuleTask, Vars } from '../playbook/model.js'
import { checkModuleArgs } from '../playbook/module-args.js'
import { evaluateCondition, renderValue } from '../playbook/template.js'
import { UnreachableError } from '../transport/types.js'
import { deadlineIn, moduleContext } from './context.js'
import { converge } from './converge.js'
import { judge, withResult } from './judge.js'
import { hidden, outcomeOfError, skipped, type TaskOutcome } from './outcome.js'
import { registeredOf, type RunContext } from './state.js'
import { taskVars, withoutOmitted, type PlayPlace } from './vars.js'

/** What a task inherits from the blocks around it (and the play). */
export interface Scope {
  readonly vars: Vars
  readonly when: readonly string[]
  readonly tags: readonly string[]
  readonly ignoreErrors: boolean
  readonly become?: BecomeSpec
  /** An enclosing block has `rescue:`: a failure here is counted `rescued`, and rescue runs. */
  readonly rescuable: boolean
}

/** One host in one play: everything a task needs besides itself. */
export interface HostEnv {
  readonly run: RunContext
  readonly host: InventoryHost
  readonly place: PlayPlace
}

/** `ansible_become` / `ansible_become_user` in the inventory: escalate where the playbook says nothing. */
function inventoryBecome(host: InventoryHost): BecomeSpec | undefined {
  const { ansible_become: become, ansible_become_user: user } = host.vars
  if (become !== true && become !== 'true' && become !== 'yes') return undefined
  return { user: typeof user === 'string' ? user : 'root' }
}

function displayName(task: ModuleTask, vars: Vars): string {
  if (task.name === undefined) return task.module
  try {
    return String(renderValue(task.name, vars, task.source))
  } catch {
    return task.name
  }
}

async function attempts(env: HostEnv, task: ModuleTask, module: AnyModule, spec: unknown, vars: Vars, become: BecomeSpec | undefined): Promise<TaskOutcome> {
  const { options } = env.run
  const total = task.until === undefined ? 1 : Math.max(0, task.retries) + 1
  for (let attempt = 1; ; attempt++) {
    const deadline = deadlineIn(task.timeoutSeconds ?? options.stepTimeoutSeconds, options.signal)
    const ctx = await moduleContext(env.run, env.host, become, vars, deadline, task.noLog)
    const mode = { check: options.check, afterPlannedChanges: env.run.drifted.has(env.host.name) }
    const converged = await converge(module, ctx, spec, mode).catch((error: unknown) => {
      if (error instanceof UnreachableError) throw error
      const failed = outcomeOfError(error)
      return { status: 'failed' as const, changes: [], message: failed.message, data: {} }
    })
    const outcome = judge(task, vars, converged, { deadline, interrupt: options.signal, check: options.check, attempt })
    if (task.until === undefined) return outcome
    if (evaluateCondition(task.until, withResult(vars, task, outcome.result), task.source)) return outcome
    if (attempt >= total || options.signal.aborted) {
      const message = `until \`${task.until}\` still false after ${attempt} attempt(s)${outcome.message ? `: ${outcome.message}` : ''}`
      return { ...outcome, status: 'failed', message, result: { ...outcome.result, failed: true, msg: message } }
    }
    await sleep(task.delaySeconds * 1000, undefined, { signal: options.signal }).catch(() => undefined)
  }
}

async function settle(env: HostEnv, task: ModuleTask, scope: Scope, vars: Vars): Promise<TaskOutcome> {
  try {
    for (const condition of [...scope.when, ...task.when]) {
      if (!evaluateCondition(condition, vars, task.source)) return skipped(`when: ${condition} is false`)
    }
    const module = modules[task.module]?.module
    if (!module) return outcomeOfError(new ConfigError([{ ...task.argsSource, message: `unknown module ${task.module}` }]))
    const spec = withoutOmitted(renderValue(task.args, vars, task.argsSource))
    const diagnostics = checkModuleArgs(task.module, spec, task.argsSource)
    if (diagnostics.length > 0) throw new ConfigError(diagnostics)
    return await attempts(env, task, module, spec, vars, task.become ?? scope.become ?? inventoryBecome(env.host))
  } catch (error) {
    return outcomeOfError(error)
  }
}

/** A failure that ignore_errors or an enclosing rescue absorbs is counted as such. */
function absorbed(outcome: TaskOutcome, task: ModuleTask, scope: Scope): TaskOutcome {
  if (outcome.status !== 'failed') return outcome
  if (task.ignoreErrors || scope.ignoreErrors) return { ...outcome, status: 'ignored' }
  return scope.rescuable ? { ...outcome, status: 'rescued' } : outcome
}

/**
 * Runs one module task on one host and emits its task-start/task-end: `when`, rendering, argument
 * check, the module contract with until/retries, failed_when/changed_when, register, no_log.
 */
export async function runModuleTask(env: HostEnv, task: ModuleTask, scope: Scope, handler: boolean): Promise<TaskOutcome> {
  const { run, host, place } = env
  const vars = taskVars(run, host, place, scope.vars, task.vars, task.source)
  const name = displayName(task, vars)
  const base = { play: place.play.name, host: host.name, task: name, handler }
  run.emit({ type: 'task-start', ...base })
  const started = Date.now()
  const outcome = absorbed(await settle(env, task, scope, vars), task, scope)
  if (task.register !== undefined) registeredOf(run, host.name)[task.register] = outcome.result
  if (run.options.check && outcome.status === 'changed') run.drifted.add(host.name)
  const shown = task.noLog ? hidden(outcome) : outcome
  run.emit({
    type: 'task-end',
    ...base,
    status: shown.status,
    changes: shown.changes.map((c) => ({ summary: c.summary, ...(run.options.diff && c.diff && { diff: c.diff }) })),
    ...(shown.message !== undefined && { message: shown.message }),
    durationMs: Date.now() - started,
    ...(!task.noLog && { result: shown.result }),
  })
  return outcome
}
