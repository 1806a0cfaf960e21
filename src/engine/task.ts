import { setTimeout as sleep } from 'node:timers/promises'
import { ConfigError } from '../errors.js'
import { modules } from '../modules/index.js'
import type { AnyModule } from '../modules/types.js'
import type { BecomeSpec, InventoryHost, ModuleTask, Vars } from '../playbook/model.js'
import { checkModuleArgs, coerceModuleArgs } from '../playbook/module-args.js'
import { nulProblems, timerArgProblems } from '../playbook/bounds.js'
import { translateRendered } from '../playbook/ansible-modules.js'
import { renderedFlag } from './flags.js'
import { evaluateCondition, HOST_DATA, hostDataRead, isTemplate, renderValue, type TaintedVars } from '../template/playbook.js'
import { UnreachableError } from '../transport/types.js'
import { deadlineIn, moduleContexts, type Deadline } from './context.js'
import { converge } from './converge.js'
import { judge, withResult } from './judge.js'
import { hidden, outcomeOfError, skipped, type TaskOutcome } from './outcome.js'
import { hostDataOf, registeredOf } from './state.js'
import { taskVars, withoutOmitted } from './vars.js'
import { CONTROLLER_ACTIONS } from '../modules/actions.js'
import { runAction, runPause } from './actions.js'
import { combineItems, itemData, itemLabel, loopItems, type ItemOutcome } from './loop.js'
import { runOnce } from './run-once.js'
import { yieldToEventLoop } from './yield.js'
import { withFirstObservation } from './first-observation.js'
import { selectedByTags } from './tags.js'
import type { HostEnv, Scope, Upcoming } from './types.js'



/** `ansible_become` / `ansible_become_user` in the inventory: escalate where the playbook says nothing. */
function inventoryBecome(host: InventoryHost): BecomeSpec | undefined {
  const { ansible_become: become, ansible_become_user: user } = host.vars
  if (become !== true && become !== 'true' && become !== 'yes') return undefined
  return { user: typeof user === 'string' ? user : 'root' }
}

/** A no_log task's name is shown as written: rendered, it could quote what no_log hides. */
function displayName(task: ModuleTask, vars: Vars, noLog: boolean): string {
  if (task.name === undefined) return task.module
  if (noLog) return task.name
  try {
    return String(renderValue(task.name, vars, task.source))
  } catch {
    return task.name
  }
}

function isAbortOf(error: unknown, deadline: Deadline): boolean {
  if (error === deadline.signal.reason || error === deadline.change.reason) return true
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError') && (deadline.signal.aborted || deadline.change.aborted)
}

const ENVIRONMENT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * The task's `environment`, its blocks' and play's beneath it, rendered with the task's variables
 * (a template may give the whole mapping, `"{{ proxy_env }}"`); values become strings, as Ansible's.
 */
function environmentOf(task: ModuleTask, scope: Scope, vars: Vars): Readonly<Record<string, string>> | undefined {
  const layers = [...(scope.environment ?? []), ...(task.environment === undefined ? [] : [task.environment])]
  if (layers.length === 0) return undefined
  const merged: Record<string, string> = {}
  for (const layer of layers) {
    const rendered = renderValue(layer, vars, task.source)
    if (rendered === null || rendered === undefined || rendered === '') continue
    if (typeof rendered !== 'object' || Array.isArray(rendered)) {
      throw new ConfigError([{ ...task.source, message: `environment must be a mapping of variable names to values, not ${JSON.stringify(rendered).slice(0, 80)}`, hint: 'environment: {HTTP_PROXY: "http://proxy:3128"}, or a variable holding such a mapping' }])
    }
    for (const [name, value] of Object.entries(rendered as Record<string, unknown>)) {
      if (!ENVIRONMENT_NAME.test(name)) throw new ConfigError([{ ...task.source, message: `environment: \`${name}\` is not a variable name`, hint: 'Names are letters, digits and _, not starting with a digit.' }])
      if (value === null || value === undefined) continue
      merged[name] = typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)
    }
  }
  return Object.keys(merged).length === 0 ? undefined : merged
}

/** Whether the task only plans: its own check_mode, else its block's or play's, else --check. */
function plansOnly(env: HostEnv, task: ModuleTask, scope: Scope): boolean {
  return task.checkMode ?? scope.checkMode ?? env.run.options.check
}

/** One attempt of the module contract within `deadline`, judged (failed_when, changed_when…). */
async function oneAttempt(
  env: HostEnv, task: ModuleTask, scope: Scope, module: AnyModule, spec: unknown, vars: Vars,
  become: BecomeSpec | undefined, deadline: Deadline, attempt: number,
): Promise<TaskOutcome> {
  const { options } = env.run
  const environment = environmentOf(task, scope, vars)
  const ahead = attempt === 1 && environment === undefined ? await env.probes?.take(task, spec, become) : undefined
  const ctx = await moduleContexts(env.run, env.host, become, vars, deadline, task.noLog || scope.noLog, ahead?.served, environment, task.delegateLocal === true)
  const check = plansOnly(env, task, scope)
  const mode = { check, afterPlannedChanges: env.run.drifted.has(env.host.name) }
  const used = ahead?.observed === undefined ? module : withFirstObservation(module, ahead.observed)
  const converged = await converge(used, ctx, spec, mode).catch((error: unknown) => {
    if (error instanceof UnreachableError) throw error
    // A wait cut by the deadline or an interrupt rejects with the signal's reason: that is the
    // task being cut short (the judge says why), not a bug to print a stack for.
    if (isAbortOf(error, deadline)) return { status: 'failed' as const, changes: [], message: 'stopped before it could finish', data: {} }
    const failed = outcomeOfError(error)
    return { status: 'failed' as const, changes: [], message: failed.message, data: {} }
  })
  // Applied (or cut off while applying): the probes taken ahead describe a world that is gone.
  if (!check && converged.changes.length > 0) env.probes?.drop()
  return judge(task, vars, converged, { deadline, interrupt: options.signal, check, attempt })
}

async function attempts(env: HostEnv, task: ModuleTask, scope: Scope, module: AnyModule, spec: unknown, vars: Vars, become: BecomeSpec | undefined): Promise<TaskOutcome> {
  const { options } = env.run
  const total = task.until === undefined ? 1 : Math.max(0, task.retries) + 1
  for (let attempt = 1; ; attempt++) {
    const deadline = deadlineIn(timeoutOf(env, task, scope), options.signal, options.abandon)
    const outcome = await oneAttempt(env, task, scope, module, spec, vars, become, deadline, attempt).finally(deadline.clear)
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
    if (task.noLogTemplate !== undefined) renderedFlag('no_log', task.noLogTemplate, vars, task.source)
    const spec = specOf(task, vars)
    if (CONTROLLER_ACTIONS.has(task.module)) return runAction(task, spec, vars)
    if (task.module === 'pause') return await runPause(spec, env.run.options.signal)
    return await attempts(env, task, scope, module, spec, vars, becomeOf(env, task, scope, vars))
  } catch (error) {
    return outcomeOfError(error)
  }
}

/** A meta task's `when:` (and its blocks'), judged with the task's variables. */
export function metaConditionHolds(env: HostEnv, task: ModuleTask, scope: Scope): boolean {
  const vars = varsOf(env, task, scope)
  return [...scope.when, ...task.when].every((condition) => evaluateCondition(condition, vars, task.source))
}

/** ignore_errors in force: the task's or an enclosing block's, templates rendered with the task's variables. */
export function ignoresErrors(task: ModuleTask | { readonly ignoreErrors: boolean; readonly ignoreErrorsTemplate?: string; readonly source: ModuleTask['source'] }, scope: Scope, vars: Vars): boolean {
  if (task.ignoreErrors || scope.ignoreErrors) return true
  const templates = [...(scope.ignoreErrorsTemplates ?? []), ...(task.ignoreErrorsTemplate !== undefined ? [task.ignoreErrorsTemplate] : [])]
  return templates.some((t) => renderedFlag('ignore_errors', t, vars, task.source))
}

/** A failure that ignore_errors or an enclosing rescue absorbs is counted as such. */
function absorbed(outcome: TaskOutcome, task: ModuleTask, scope: Scope, vars: Vars): TaskOutcome {
  if (outcome.status === 'unreachable' && task.ignoreUnreachable === true) return { ...outcome, status: 'ignored' }
  if (outcome.status !== 'failed') return outcome
  let ignore: boolean
  try {
    ignore = ignoresErrors(task, scope, vars)
  } catch (error) {
    const bad = outcomeOfError(error)
    return { ...outcome, message: `${outcome.message ?? 'failed'}; and ${bad.message ?? 'ignore_errors could not be decided'}` }
  }
  if (ignore) return { ...outcome, status: 'ignored' }
  return scope.rescuable ? { ...outcome, status: 'rescued' } : outcome
}

/** A task's block-level vars: role defaults not defined elsewhere, then the enclosing blocks' vars. */
function scopeVars(env: HostEnv, scope: Scope, task: ModuleTask): Vars {
  const defaults = { ...scope.defaults, ...task.defaults }
  const defined = (key: string) => key in env.host.vars || key in env.place.play.vars
  const usable = Object.fromEntries(Object.entries(defaults).filter(([key]) => !defined(key)))
  return { ...usable, ...scope.vars }
}

function varsOf(env: HostEnv, task: ModuleTask, scope: Scope): Vars {
  return { ...taskVars(env.run, env.host, env.place, scopeVars(env, scope, task), task.vars, task.source), ...scope.data }
}

/** `template: src` is a controller file: a value from a host must never choose it. */
function refuseHostPicksFile(task: ModuleTask, vars: TaintedVars): void {
  if (task.module !== 'template' || task.args === null || typeof task.args !== 'object') return
  const src = (task.args as Record<string, unknown>).src
  const name = typeof src === 'string' ? hostDataRead(src, vars) : undefined
  if (name === undefined) return
  throw new ConfigError([{
    ...task.argsSource,
    message: `task "${task.name ?? task.module}": template src \`${String(src)}\` is chosen by \`${name}\`, a value from the host; a host must not pick a controller file`,
    hint: 'Name the template in the playbook; use host data to choose between names you wrote (`{{ \'a.j2\' if r.rc == 0 else \'b.j2\' }}` is still host-chosen: use `when:` on two tasks).',
  }])
}

/** The task's args rendered, except those that are file contents (copy's src): those stay as read. */
function renderArgs(task: ModuleTask, vars: Vars): unknown {
  const verbatim = task.verbatimArgs ?? []
  const args = task.args
  if (verbatim.length === 0 || args === null || typeof args !== 'object' || Array.isArray(args)) return renderValue(args, vars, task.argsSource)
  const entries = Object.entries(args as Record<string, unknown>)
  return Object.fromEntries(entries.map(([k, v]) => [k, verbatim.includes(k) ? v : renderValue(v, vars, task.argsSource)]))
}

/** set_fact's variable names may be templates (Ansible renders them); each must render to a name. */
function renderFactNames(task: ModuleTask, spec: unknown, vars: Vars): unknown {
  if (task.module !== 'set_fact' || spec === null || typeof spec !== 'object' || Array.isArray(spec)) return spec
  return Object.fromEntries(Object.entries(spec as Record<string, unknown>).map(([key, value]) => {
    if (!isTemplate(key)) return [key, value]
    const name = renderValue(key, vars, task.argsSource)
    if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new ConfigError([{ ...task.argsSource, message: `set_fact: \`${key}\` rendered to ${JSON.stringify(name)}, which is not a variable name`, hint: 'Variable names are letters, digits and _, not starting with a digit.' }])
    }
    return [name, value]
  }))
}

/**
 * The module's spec rendered with the task's variables, translated from Ansible's words where
 * that waited for rendering (`state: "{{ s }}"`), converted to the schema's types as Ansible
 * converts arguments (`"yes"` → true, `"80"` → 80) and checked against the schema.
 */
function specOf(task: ModuleTask, vars: Vars): unknown {
  refuseHostPicksFile(task, vars)
  let spec = renderFactNames(task, withoutOmitted(renderArgs(task, vars)), vars)
  if (task.ansible !== undefined) {
    const translated = translateRendered(task.ansible, spec)
    if (translated.problems.length > 0) {
      throw new ConfigError(translated.problems.map((p) => ({ ...task.argsSource, message: `${p.message} (after rendering)`, ...(p.hint ? { hint: p.hint } : {}) })))
    }
    spec = translated.args
  }
  spec = coerceModuleArgs(task.module, spec)
  // Templating can produce what validation refused where it was literal: a NUL, a timer too long.
  // Controller actions (debug, set_fact) reach no host: their values are data, binary or not.
  const toHost = !CONTROLLER_ACTIONS.has(task.module)
  const rendered = [...(toHost ? nulProblems(spec) : []), ...timerArgProblems(spec)].map((p) => ({ ...task.argsSource, message: `after templating, ${p.message}`, hint: p.hint }))
  if (rendered.length > 0) throw new ConfigError(rendered)
  const diagnostics = checkModuleArgs(task.module, spec, task.argsSource)
  if (diagnostics.length > 0) throw new ConfigError(diagnostics)
  return spec
}

/** The become in force; a templated `become` (BecomeSpec.if) is decided with the task's variables. */
function becomeOf(env: HostEnv, task: ModuleTask, scope: Scope, vars: Vars): BecomeSpec | undefined {
  const spec = task.become ?? scope.become ?? inventoryBecome(env.host)
  if (spec?.if === undefined) return spec
  return renderedFlag('become', spec.if, vars, task.source) ? { user: spec.user } : undefined
}

const timeoutOf = (env: HostEnv, task: ModuleTask, scope: Scope): number =>
  task.timeoutSeconds ?? scope.timeoutSeconds ?? env.run.options.stepTimeoutSeconds

/**
 * An upcoming task as it would run if its turn came now, for probe-ahead.ts: `skipped` when it
 * would not run (tags, `when`), undefined when it cannot be taken ahead (a loop, run_once, no_log,
 * --start-at-task, a module without probeAhead, or what it needs is not known yet).
 */
export async function prepareAhead(env: HostEnv, task: ModuleTask, scope: Scope): Promise<Upcoming | 'skipped' | undefined> {
  const { run, host } = env
  const module = modules[task.module]?.module
  if (module?.probeAhead === undefined || task.loop !== undefined || task.runOnce === true || task.delegateLocal === true || task.noLog || scope.noLog) return undefined
  // Probes taken ahead run without the task's environment, which may change what they see.
  if (task.environment !== undefined || scope.environment !== undefined) return undefined
  if (run.options.startAtTask !== undefined) return undefined
  if (!selectedByTags([...scope.tags, ...task.tags], run.options.tags, run.options.skipTags)) return 'skipped'
  let deadline: Deadline | undefined
  try {
    const vars = varsOf(env, task, scope)
    for (const condition of [...scope.when, ...task.when]) if (!evaluateCondition(condition, vars, task.source)) return 'skipped'
    const spec = specOf(task, vars)
    const become = becomeOf(env, task, scope, vars)
    deadline = deadlineIn(timeoutOf(env, task, scope), run.options.signal, run.options.abandon)
    const { observe } = await moduleContexts(run, host, become, vars, deadline)
    const ahead = module.probeAhead(observe, spec)
    if (ahead !== undefined) return { task, module, spec, become, ctx: observe, ahead, done: deadline.clear }
  } catch {
    // Not knowable yet (a variable registered later, the host unreachable): probed at its turn.
  }
  deadline?.clear()
  return undefined
}

/** The task once, or per loop item (each item's `when` judged with the item bound). */
async function execute(env: HostEnv, task: ModuleTask, scope: Scope, vars: Vars): Promise<TaskOutcome> {
  const loop = task.loop
  if (loop === undefined) return absorbed(await settle(env, task, scope, vars), task, scope, vars)
  let items: unknown[]
  try {
    items = loopItems(loop, vars)
  } catch (error) {
    return absorbed(outcomeOfError(error), task, scope, vars)
  }
  const done: ItemOutcome[] = []
  let current = vars
  for (const [index, item] of items.entries()) {
    if (index > 0 && loop.pauseSeconds > 0) await sleep(loop.pauseSeconds * 1000, undefined, { signal: env.run.options.signal }).catch(() => undefined)
    if (env.run.options.signal.aborted) break
    // Controller-only items (debug, set_fact) never wait on I/O: let signals and timers in.
    await yieldToEventLoop()
    const itemVars = withItemTaint(loop, vars, { ...current, ...itemData(loop, item, index, items.length) })
    const outcome = await settle(env, task, scope, itemVars)
    done.push({ item, index, label: itemLabel(loop, itemVars, item), outcome })
    // Facts an item sets are seen by the next item (Ansible's `x: "{{ x + [item] }}"` idiom).
    const facts = keepFacts(env, task, outcome, itemVars)
    if (facts) current = { ...current, ...facts }
  }
  return absorbed(combineItems(loop, done), task, scope, vars)
}

/** An item's variables: the loop variable is host data when the loop's items are. */
function withItemTaint(loop: NonNullable<ModuleTask['loop']>, vars: TaintedVars, itemVars: TaintedVars): TaintedVars {
  const base = vars[HOST_DATA]
  const items = typeof loop.items === 'string' ? loop.items : JSON.stringify(loop.items)
  if (base === undefined || hostDataRead(items, vars) === undefined) return itemVars
  itemVars[HOST_DATA] = new Set([...base, loop.loopVar, 'ansible_loop', ...(loop.indexVar ? [loop.indexVar] : [])])
  return itemVars
}

/** Marks the facts a task just set as host data, or clears the mark when set_fact set them from authored values. */
function markHostData(env: HostEnv, task: ModuleTask, added: Record<string, unknown>, vars: TaintedVars): void {
  const names = hostDataOf(env.run, env.host.name)
  const args = task.args !== null && typeof task.args === 'object' ? (task.args as Record<string, unknown>) : {}
  for (const key of Object.keys(added)) {
    const authored = task.module === 'set_fact' ? args[key] : undefined
    const fromHost = task.module !== 'set_fact' || hostDataRead(typeof authored === 'string' ? authored : JSON.stringify(authored ?? null), vars) !== undefined
    if (fromHost) names.add(key)
    else names.delete(key)
  }
}

/** Facts a result carries (set_fact, gather_facts) become host variables from now on; returns them. */
function keepFacts(env: HostEnv, task: ModuleTask, outcome: TaskOutcome, vars: TaintedVars): Record<string, unknown> | undefined {
  const facts = outcome.result.ansible_facts
  if (outcome.status === 'failed' || facts === null || typeof facts !== 'object' || Array.isArray(facts)) return undefined
  const registered = registeredOf(env.run, env.host.name)
  // Ansible's injected facts: `ansible_hostname` at top level, `ansible_facts.hostname` inside.
  const clean = Object.fromEntries(Object.entries(facts).map(([k, v]) => [k.replace(/^ansible_/, ''), v]))
  const added = task.module === 'set_fact' ? (facts as Record<string, unknown>) : { ...facts, ansible_facts: { ...(registered.ansible_facts as object | undefined), ...clean } }
  Object.assign(registered, added)
  markHostData(env, task, added, vars)
  return added
}

function keepResult(env: HostEnv, task: ModuleTask, outcome: TaskOutcome, vars: TaintedVars): void {
  keepFacts(env, task, outcome, vars)
  if (task.register === undefined) return
  registeredOf(env.run, env.host.name)[task.register] = outcome.result
  hostDataOf(env.run, env.host.name).add(task.register)
}

/**
 * Runs one module task on one host and emits its task-start/task-end: `when`, rendering, argument
 * check, the module contract with until/retries, failed_when/changed_when, register, no_log.
 */
export async function runModuleTask(env: HostEnv, task: ModuleTask, scope: Scope, handler: boolean): Promise<TaskOutcome> {
  const { run, host, place } = env
  const vars = varsOf(env, task, scope)
  const once = task.runOnce === true ? runOnce(env, task) : undefined
  if (once && !once.first) {
    // run_once: another host of the batch runs it; its result is this host's too (no event here).
    const outcome = await once.outcome
    keepResult(env, task, outcome, vars)
    return outcome
  }
  const noLog = task.noLog || scope.noLog
  const name = displayName(task, vars, noLog)
  const base = { play: place.play.name, host: host.name, task: name, handler }
  run.emit({ type: 'task-start', ...base })
  const started = Date.now()
  const outcome = await execute(env, task, scope, vars)
  once?.settle(outcome)
  keepResult(env, task, outcome, vars)
  if (plansOnly(env, task, scope) && outcome.status === 'changed') run.drifted.add(host.name)
  const shown = noLog ? hidden(outcome) : outcome
  run.emit({
    type: 'task-end',
    ...base,
    module: task.module,
    ...(task.index !== undefined && { index: task.index }),
    status: shown.status,
    changes: shown.changes.map((c) => ({ summary: c.summary, ...(run.options.diff && c.diff && { diff: c.diff }) })),
    ...(shown.message !== undefined && { message: shown.message }),
    durationMs: Date.now() - started,
    ...(!noLog && { result: shown.result }),
  })
  return outcome
}
