import type { InventoryHost } from '../playbook/model.js'
import { ProbeAhead } from './probe-ahead.js'
import { playScope } from './block-scope.js'
import { runHandlers, runTask } from './tasks.js'
import { yieldToEventLoop } from './yield.js'
import type { Coordination, HostEnv, HostOutcome, ListResult, PlayPlace, RunContext, Walk } from './types.js'




function stateOf(result: ListResult): 'failed' | 'unreachable' | undefined {
  return result === 'failed' || result === 'unreachable' ? result : undefined
}

/**
 * The unit of work: converge host H with play P. Runs the play's tasks in order, then the
 * handlers it notified. Self-contained (state lives in RunContext: registered vars, the host's one
 * connection) and idempotent because every module is: re-running it after a halt resumes a rollout.
 */
export async function convergeHost(run: RunContext, place: PlayPlace, host: InventoryHost, coord: Coordination): Promise<HostOutcome> {
  const env: HostEnv = { run, host, place, probes: new ProbeAhead() }
  const walk: Walk = { env, notified: new Set(), stopped: coord.stopped }
  const trips = run.connections.roundTripsOf(host.name)
  const tripsBefore = trips.count
  const scope = playScope(place)
  const flushes = new Set(place.play.handlerFlushes ?? [])
  let state: HostOutcome['state'] = 'ok'
  let stopped: string | undefined
  for (const [step, task] of place.play.tasks.entries()) {
    // Controller-only tasks never wait on I/O: let signals in between them.
    await yieldToEventLoop()
    stopped ??= state === 'ok' ? coord.stopped() : undefined
    if (state === 'ok' && stopped === undefined && walk.ended === undefined) {
      const result = await coord.slot(async () => {
        await env.probes?.plan(env, place.play.tasks, scope, step)
        const done = await runTask(walk, task, scope)
        // Ansible's flush points (after pre_tasks, after roles + tasks): the handlers notified so far.
        if (done !== 'ok' || !flushes.has(step) || walk.notified.size === 0 || walk.ended !== undefined) return done
        return runHandlers(walk, place.play.handlers, scope)
      })
      const down = stateOf(result)
      if (down) {
        state = down
        coord.onDown(down)
      }
      if (result === 'stopped') stopped = coord.stopped()
    }
    await coord.sync(step)
  }
  stopped ??= state === 'ok' ? coord.stopped() : undefined
  // Ended by meta end_host/end_play: the play is complete for this host, its handlers not run (as Ansible's).
  const handlersRun = state === 'unreachable' || run.options.signal.aborted || walk.ended !== undefined ? false
    : place.play.forceHandlers || (state === 'ok' && stopped === undefined)
  if (handlersRun && walk.notified.size > 0) {
    const result = await coord.slot(() => runHandlers({ ...walk, stopped: () => undefined }, place.play.handlers, scope))
    const down = state === 'ok' ? stateOf(result) : undefined
    if (down) {
      state = down
      coord.onDown(down)
    }
  }
  return { host: host.name, state, roundTrips: trips.count - tripsBefore, ...(stopped !== undefined && { stopped }) }
}
