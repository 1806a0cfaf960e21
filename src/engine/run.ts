import { randomBytes } from 'node:crypto'
import { ExitCode } from '../exit-codes.js'
import { selectHosts } from '../playbook/patterns.js'
import { countTaskEnd, emptyCounters, type EmitEvent, type RecapCounters } from './events.js'
import { ConnectionCache } from './connections.js'
import { HostLockSet, lockOwner } from './host-lock.js'
import { runPlay, type PlayResult } from './play.js'
import { openSession } from './session.js'
import type { RunPlaybook } from './types.js'

/** Ansible's precedence of outcomes: interrupted > a rollout halted > a host failed > unreachable > drift (--check). */
function exitCodeOf(recap: Readonly<Record<string, RecapCounters>>, check: boolean, interrupted: boolean, halted: boolean): number {
  const all = Object.values(recap)
  if (interrupted) return ExitCode.interrupted
  if (halted) return ExitCode.rolloutHalted
  if (all.some((c) => c.failed > 0)) return ExitCode.hostFailed
  if (all.some((c) => c.unreachable > 0)) return ExitCode.unreachable
  if (check && all.some((c) => c.changed > 0)) return ExitCode.driftFound
  return ExitCode.ok
}

/** A run id: sortable by start, no `:` (BullMQ job ids may not contain one). */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${randomBytes(2).toString('hex')}`
}

/**
 * Runs a playbook: plays in order; hosts that failed or were unreachable in a play take no part
 * in later ones. The recap is counted from the task-end events themselves, so the two agree.
 */
export const runPlaybook: RunPlaybook = async (playbook, inventory, options, emit) => {
  const started = new Date()
  const runId = options.runId ?? newRunId(started)
  const recap: Record<string, RecapCounters> = {}
  const counted: EmitEvent = (event) => {
    if (event.type === 'task-end') countTaskEnd((recap[event.host] ??= emptyCounters()), event.status)
    emit(event)
  }
  // The run's own cache: every task of the run reuses a host's one connection, closed at the end.
  const connections = new ConnectionCache(() => options.connect)
  const session = openSession({
    playbookFile: playbook.file, inventory, options, emit: counted, connections, startedAt: started,
    // Not under --check: a plan changes nothing, and an operator must be able to look during someone else's run.
    ...(!options.check && { lock: { set: new HostLockSet({ waitSeconds: options.waitLockSeconds ?? 0, signal: options.signal }), owner: lockOwner(runId) } }),
  })
  const run = session.run
  counted({ type: 'run-start', runId, playbook: playbook.file, check: options.check, time: started.toISOString(), ...(options.resume && { resumed: true }) })
  const down = new Set<string>()
  let halted: PlayResult['halted']
  try {
    for (const [index, play] of playbook.plays.entries()) {
      if (options.signal.aborted || run.halt.reason !== undefined) break
      const hosts = selectHosts(inventory, play.hosts).filter((h) => (options.limit?.has(h) ?? true) && !down.has(h))
      for (const host of hosts) recap[host] ??= emptyCounters()
      const result = await runPlay(run, play, index, hosts)
      for (const host of result.down.keys()) down.add(host)
      halted ??= result.halted
    }
  } finally {
    await session.close()
    await connections.closeAll()
  }
  const interrupted = options.signal.aborted
  const exitCode = exitCodeOf(recap, options.check, interrupted, halted !== undefined)
  const resume = !options.check && exitCode !== ExitCode.ok && options.resumeCommand !== undefined ? options.resumeCommand : undefined
  counted({ type: 'recap', hosts: recap })
  counted({
    type: 'run-end', exitCode, interrupted, durationMs: Date.now() - started.getTime(), runId,
    ...(halted !== undefined && { halted }), ...(resume !== undefined && { resume }),
  })
  return { recap, exitCode, interrupted, ...(halted !== undefined && { halted }) }
}
