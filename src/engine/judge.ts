import { ConfigError } from '../errors.js'
import { abortReason } from '../transport/types.js'
import { evaluateCondition } from '../template/playbook.js'
import type { ModuleTask, Vars } from '../playbook/model.js'
import type { Convergence } from './converge.js'
import type { Deadline } from './context.js'
import type { TaskOutcome } from './outcome.js'

/** The registered result: Ansible's keys, then apply's data (rc, stdout…) and the module's facts. */
export function resultOf(status: TaskOutcome['status'], conv: Convergence, message: string | undefined, attempts: number) {
  return {
    changed: status === 'changed',
    failed: status === 'failed',
    skipped: status === 'skipped',
    msg: message ?? '',
    changes: conv.changes.map((c) => c.summary),
    attempts,
    ...conv.data,
  }
}

/** Vars with a task's result bound: under its `register` name, else its keys at top level. */
export function withResult(vars: Vars, task: ModuleTask, result: Readonly<Record<string, unknown>>): Vars {
  return task.register ? { ...vars, [task.register]: result } : { ...vars, ...result }
}

function allHold(exprs: readonly string[], vars: Vars, task: ModuleTask): boolean {
  return exprs.every((expr) => evaluateCondition(expr, vars, task.source))
}

/** Which signal cut a task short: the deadline, an abandon (second interrupt), or the first interrupt. */
function whyCut(deadline: Deadline, interrupt: AbortSignal): string {
  const timedOut = `timed out after ${deadline.seconds}s`
  if (deadline.change.aborted) return (deadline.change.reason as Error | undefined)?.name === 'TimeoutError' ? timedOut : abortReason(deadline.change)
  return interrupt.aborted ? abortReason(interrupt) : timedOut
}

/** Why a convergence ended early: the deadline or Ctrl-C cut it short. */
function cutShort(conv: Convergence, deadline: Deadline, interrupt: AbortSignal): Convergence {
  if (conv.status !== 'failed' || !(deadline.signal.aborted || deadline.change.aborted) || conv.explained === true) return conv
  const why = whyCut(deadline, interrupt)
  return { ...conv, message: conv.message ? `${why}: ${conv.message}` : why }
}

/**
 * One attempt's outcome with `failed_when` and `changed_when` applied. Under --check a condition
 * that needs data only apply would produce (rc, stdout) cannot be judged: the plan stands.
 */
export function judge(
  task: ModuleTask,
  vars: Vars,
  converged: Convergence,
  ctx: { readonly deadline: Deadline; readonly interrupt: AbortSignal; readonly check: boolean; readonly attempt: number },
): TaskOutcome {
  const conv = cutShort(converged, ctx.deadline, ctx.interrupt)
  let status: TaskOutcome['status'] = conv.status
  let message = conv.message
  const bound = () => withResult(vars, task, resultOf(status, conv, message, ctx.attempt))
  try {
    if (task.failedWhen && task.failedWhen.length > 0) {
      const fails = allHold(task.failedWhen, bound(), task)
      if (fails && status !== 'failed') message = `failed_when holds: ${task.failedWhen.join(' and ')}`
      if (!fails && status === 'failed') message = undefined
      status = fails ? 'failed' : status === 'failed' ? (conv.changes.length > 0 && !ctx.check ? 'changed' : 'ok') : status
    }
    if ((status === 'ok' || status === 'changed') && task.changedWhen && task.changedWhen.length > 0) {
      status = allHold(task.changedWhen, bound(), task) ? 'changed' : 'ok'
    }
  } catch (error) {
    if (!(ctx.check && error instanceof ConfigError)) throw error
  }
  // changed_when/failed_when saying "not changed" means nothing to report as changed or drift.
  const changes = status === 'ok' ? [] : conv.changes
  return { status, changes, message, result: resultOf(status, conv, message, ctx.attempt) }
}
