/**
 * Text for rollouts and recorded runs, shared by the plain renderer and the summary after the
 * live view: the batch plan with the gates between batches, budget, pause, recheck, halt, and the
 * run's id with the command that resumes it.
 */
import type { EngineEvent, RolloutBudget } from '../../engine/events.js'
import { ExitCode } from '../../exit-codes.js'
import { budgetText } from '../../rollout/policy.js'
import type { Palette } from './color.js'

type Of<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>

const hosts = (names: readonly string[], max = 8): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, … ${names.length - max} more`

export const budgetLine = (budget: RolloutBudget): string => `error budget ${budgetText(budget.allowed, budget.used)}`

/** What is checked between two batches, in words. */
function gateBetween(event: Of<'rollout-plan'>): string {
  const parts = [event.errorBudget === undefined ? 'no error budget' : `go on while at most ${event.errorBudget} host${event.errorBudget === 1 ? '' : 's'} down`]
  if (event.pauseSeconds > 0) parts.push(`pause ${event.pauseSeconds}s`)
  if (event.recheck) parts.push(`recheck ${event.gates.length > 0 ? event.gates.join('; ') : '(no gate tasks)'} on converged hosts`)
  return parts.join(', then ')
}

/** The batch plan: every batch, and the gate between each two (--check shows this in full). */
export function planLines(event: Of<'rollout-plan'>, full: boolean, paint: Palette): string[] {
  const policy = [`${event.batches.length} batches`, event.errorBudget === undefined ? 'no error budget' : `error budget ${event.errorBudget}`]
  if (event.pauseSeconds > 0) policy.push(`pause ${event.pauseSeconds}s`)
  if (event.recheck) policy.push(`recheck ${event.gates.length} gate${event.gates.length === 1 ? '' : 's'}`)
  const head = paint.bold(`rollout: ${policy.join(' · ')}`)
  if (!full) return [head]
  const lines = [head]
  for (const [i, batch] of event.batches.entries()) {
    if (i > 0) lines.push(paint.dim(`    ↓ gate: ${gateBetween(event)}`))
    lines.push(`  batch ${i + 1}/${event.batches.length}: ${hosts(batch)}`)
  }
  return lines
}

export function batchLine(event: Of<'batch-start'>): string {
  const parts = [`BATCH ${event.batch}/${event.batches} [${hosts(event.hosts)}]`]
  if (event.converged !== undefined) parts.push(`already converged: ${hosts(event.converged)}`)
  if (event.budget !== undefined) parts.push(budgetLine(event.budget))
  return parts.join(' · ')
}

export const pauseLine = (event: Of<'rollout-pause'>): string =>
  `pausing ${event.seconds}s before batch ${event.before}/${event.batches}`

export const recheckLine = (event: Of<'rollout-recheck'>): string =>
  `RECHECK before batch ${event.before}/${event.batches}: gates on ${hosts(event.hosts)}`

export function haltLines(event: Of<'rollout-halt'>, paint: Palette): string[] {
  return [paint.failed(`rollout halted after batch ${event.batch}/${event.batches}: ${event.reason}`)]
}

function statusOf(event: Of<'run-end'>): string {
  if (event.halted !== undefined) return `halted at batch ${event.halted.batch}/${event.halted.batches}`
  if (event.interrupted) return 'interrupted'
  if (event.exitCode === ExitCode.ok || event.exitCode === ExitCode.driftFound) return event.exitCode === ExitCode.ok ? 'converged' : 'drift found'
  return 'failed'
}

/** After the recap: the run's id and status; for a halt, why, what is left, how to resume. */
export function runEndLines(event: Of<'run-end'>, paint: Palette): string[] {
  const lines: string[] = []
  if (event.halted !== undefined) {
    lines.push('', paint.failed(`ROLLOUT HALTED [${event.halted.play}] at batch ${event.halted.batch}/${event.halted.batches}: ${event.halted.reason}`))
    lines.push(`  left (not converged): ${event.halted.left.length === 0 ? 'none' : hosts(event.halted.left, 20)}`)
  }
  if (event.runId !== undefined) lines.push('', `run ${event.runId}: ${statusOf(event)}`)
  if (event.resume !== undefined) lines.push(`  resume with: ${event.resume}`)
  return lines
}
