import type { Play } from '../playbook/model.js'
import { gateNames, gatePlay, gateTasks } from '../rollout/gates.js'
import { budgetOf, decide, recheckBefore } from '../rollout/policy.js'
import { batchesOf } from '../rollout/batches.js'
import { runBatch, type BatchResult } from './batch.js'
import type { RolloutBudget } from './events.js'
import type { RunContext } from './types.js'

/** Hosts that failed or became unreachable in the play: Ansible drops them from later plays. */
export interface PlayResult {
  readonly down: ReadonlyMap<string, 'failed' | 'unreachable'>
  readonly stopped?: string
  /** A rollout halted before its next batch (exit 6; `tend resume` goes on). */
  readonly halted?: { readonly play: string; readonly batch: number; readonly batches: number; readonly reason: string; readonly left: readonly string[] }
}

/** Waits `seconds`, or less if the run is interrupted. */
function pause(seconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, seconds * 1000)
    signal.addEventListener('abort', done, { once: true })
  })
}

/**
 * One play: its hosts in batches per `serial`, each batch converged by `runBatch`. Between
 * batches, a play with `rollout:` asks the pure planner (rollout/policy.ts) whether to go on,
 * pauses, re-gates the hosts already converged, or halts before the next batch. Hosts an earlier
 * attempt converged (`tend resume`) are not converged again.
 */
export async function runPlay(run: RunContext, play: Play, playIndex: number, hosts: readonly string[]): Promise<PlayResult> {
  run.emit({ type: 'play-start', play: play.name, hosts })
  const batches = batchesOf(hosts, play.serial)
  // Under --check nothing changes, so there is nothing to protect: Ansible's rules only.
  const rollout = play.rollout !== undefined && !run.options.check
  const allowed = budgetOf(play.rollout, hosts.length)
  // An error budget replaces Ansible's implicit "a wholly failed batch stops the play".
  const budgeted = rollout && allowed !== undefined
  const earlier = (host: string) => run.options.resume?.converged(playIndex, host) ?? false
  const converged = new Set<string>()
  const down = new Map<string, 'failed' | 'unreachable'>()
  const budget = (): RolloutBudget => ({ ...(allowed !== undefined && { allowed }), used: down.size })
  if (play.rollout !== undefined || batches.length > 1) {
    run.emit({
      type: 'rollout-plan', play: play.name, batches, ...(allowed !== undefined && { errorBudget: allowed }),
      pauseSeconds: play.rollout?.pauseSeconds ?? 0, recheck: play.rollout?.recheck === true, gates: gateNames(play),
    })
  }
  let stopped: string | undefined
  let halted: PlayResult['halted']
  const halt = (batch: number, reason: string) => {
    const left = hosts.filter((h) => !converged.has(h))
    run.emit({ type: 'rollout-halt', play: play.name, batch, batches: batches.length, reason, left, budget: budget() })
    run.halt.stop(reason)
    stopped = reason
    halted = { play: play.name, batch, batches: batches.length, reason, left }
  }
  for (const [index, batchHosts] of batches.entries()) {
    stopped ??= run.options.signal.aborted ? 'interrupted' : run.halt.reason
    if (stopped !== undefined) break
    const number = index + 1
    const todo = batchHosts.filter((h) => !earlier(h))
    const skipped = batchHosts.filter(earlier)
    for (const host of skipped) converged.add(host)
    run.emit({
      type: 'batch-start', play: play.name, batch: number, batches: batches.length, hosts: todo,
      ...(skipped.length > 0 && { converged: skipped }), ...(rollout && { budget: budget() }),
    })
    const result: BatchResult = todo.length === 0 ? { outcomes: [], down: new Map() }
      : await runBatch(run, { play, playHosts: hosts, batchHosts: todo }, { hosts: todo, number, playIndex }, number < batches.length && !budgeted)
    for (const outcome of result.outcomes) if (outcome.state === 'ok' && outcome.stopped === undefined) converged.add(outcome.host)
    for (const [host, state] of result.down) down.set(host, state)
    if (run.options.signal.aborted) break
    if (!rollout) {
      stopped = result.stopped
      continue
    }
    const progress = { batch: number, batches: batches.length, down: [...down.keys()], broken: [], ...(result.stopped !== undefined && { playStopped: result.stopped }) }
    const decision = decide(play.rollout, hosts.length, progress)
    if (decision.action === 'halt') halt(number, decision.reason)
    if (decision.action !== 'go' || (batches[index + 1] ?? []).every(earlier)) continue
    if (decision.pauseSeconds > 0 && todo.length > 0) {
      run.emit({ type: 'rollout-pause', play: play.name, seconds: decision.pauseSeconds, before: number + 1, batches: batches.length })
      await pause(decision.pauseSeconds, run.options.signal)
      if (run.options.signal.aborted) break
    }
    const gated = hosts.filter((h) => converged.has(h))
    if (!recheckBefore(play.rollout, number + 1) || gated.length === 0 || gateTasks(play).length === 0) continue
    run.emit({ type: 'rollout-recheck', play: play.name, before: number + 1, batches: batches.length, hosts: gated })
    const recheck = await runBatch(run, { play: gatePlay(play), playHosts: hosts, batchHosts: gated }, { hosts: gated, number, playIndex, recheck: true }, false)
    if (run.options.signal.aborted) break
    const broken = recheck.outcomes.filter((o) => o.state !== 'ok').map((o) => o.host)
    for (const host of broken) {
      converged.delete(host)
      down.set(host, recheck.down.get(host) ?? 'failed')
    }
    const after = decide(play.rollout, hosts.length, { ...progress, down: [...down.keys()], broken })
    if (after.action === 'halt') halt(number, after.reason)
  }
  stopped ??= run.options.signal.aborted ? 'interrupted' : undefined
  run.emit({ type: 'play-end', play: play.name, ...(stopped !== undefined && { stopped }) })
  return { down, ...(stopped !== undefined && { stopped }), ...(halted !== undefined && { halted }) }
}
