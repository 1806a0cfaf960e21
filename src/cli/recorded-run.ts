/**
 * A recorded run: the engine driven with the renderer and the run recorder subscribed to the same
 * events, inside the state store that holds the run's frozen plan. `tend run` and `tend resume`
 * both end here.
 */
import { hostname } from 'node:os'
import { commandLines } from './verbose.js'
import type { EngineEvent } from '../engine/events.js'
import { runPlaybook } from '../engine/run.js'
import type { Inventory, Playbook, Vars } from '../playbook/model.js'
import { shownExtraVars, type FrozenPlan } from '../rollout/plan.js'
import { runRecorder } from '../history/record.js'
import { runHosts, setRunHost } from '../state/runs.js'
import type { StateStore } from '../state/store.js'
import { connectFactory } from './connect.js'
import { oneShotSignals } from './signals.js'
import { chooseRenderer } from './render/choose.js'
import { resumeCommandOf } from '../state/dir.js'
import type { CommandRecord, RunOptions } from '../engine/types.js'

export interface RecordedRun {
  readonly store: StateStore
  readonly runId: string
  readonly plan: FrozenPlan
  readonly playbook: Playbook
  readonly inventory: Inventory
  readonly extraVars: Vars
  readonly limit: ReadonlySet<string> | undefined
  readonly json: boolean
  readonly waitLockSeconds: number
  readonly resume?: RunOptions['resume']
  /** -v count (0 to 3): -vv prints each remote command, -vvv its output (never under --json). */
  readonly verbosity?: number
  /** --start-at-task (a fresh run only). */
  readonly startAtTask?: string
  /** --queue: batches converge on workers. */
  readonly executor?: RunOptions['executor']
}

export const controller = (): { controller: string; pid: number } => ({ controller: hostname(), pid: process.pid })

/** Every planned host not yet in the run's cursor is pending (a fresh run, or new hosts after --replan). */
export function markPending(store: StateStore, runId: string, plan: FrozenPlan): void {
  const known = new Set(runHosts(store, runId).map((h) => `${h.play}\u0000${h.host}`))
  store.db.transaction(() => {
    for (const [play, planned] of plan.plays.entries()) {
      for (const [i, batch] of planned.batches.entries()) {
        for (const host of batch) if (!known.has(`${play}\u0000${host}`)) setRunHost(store, runId, { play, host, batch: i + 1, status: 'pending' })
      }
    }
  })()
}

export async function executeRun(spec: RecordedRun): Promise<number> {
  const { plan } = spec
  const verbosity = spec.verbosity ?? 0
  const renderer = await chooseRenderer({ json: spec.json, check: plan.check, verbosity })
  const interrupt = oneShotSignals((signalName) => renderer.interrupting(signalName))
  // Nothing of an -e value is recorded in clear, whichever task name or output quotes it.
  spec.store.withheld.add(spec.extraVars)
  const record = runRecorder(spec.store, spec.runId)
  const emit = (event: EngineEvent) => {
    try {
      record(event)
    } catch (error) {
      process.stderr.write(`tend: recording the run failed on ${event.type}: ${String(error)}\n`)
    }
    try {
      renderer.emit(event)
    } catch (error) {
      // A rendering bug must not stop convergence; it is reported, the run goes on.
      process.stderr.write(`tend: renderer failed on ${event.type}: ${String(error)}\n`)
    }
  }
  try {
    const summary = await runPlaybook(spec.playbook, spec.inventory, {
      check: plan.check,
      diff: plan.options.diff,
      forks: plan.options.forks,
      tags: plan.options.tags,
      skipTags: plan.options.skipTags,
      extraVars: spec.extraVars,
      limit: spec.limit,
      stepTimeoutSeconds: plan.options.stepTimeoutSeconds,
      waitLockSeconds: spec.waitLockSeconds,
      signal: interrupt.signal,
      abandon: interrupt.abandon,
      runId: spec.runId,
      resumeCommand: resumeCommandOf(spec.runId, spec.store.dir, process.env, shownExtraVars(plan)),
      ...(spec.resume !== undefined && { resume: spec.resume }),
      ...(spec.startAtTask !== undefined && { startAtTask: spec.startAtTask }),
      ...(verbosity >= 2 && !spec.json && { onCommand: (record: CommandRecord) => process.stdout.write(commandLines(record, verbosity).join('\n') + '\n') }),
      ...(spec.executor !== undefined && { executor: spec.executor }),
      connect: connectFactory({ acceptNewHostKeys: plan.options.acceptNewHostKeys, signal: interrupt.signal }),
    }, emit)
    return summary.exitCode
  } finally {
    await renderer.finish()
    interrupt.dispose()
    spec.store.close()
  }
}
