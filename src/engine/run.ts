import { randomBytes } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import { ExitCode } from '../exit-codes.js'
import type { InventoryHost } from '../playbook/model.js'
import { selectHosts } from '../playbook/patterns.js'
import type { Transport } from '../transport/types.js'
import { countTaskEnd, emptyCounters, type EmitEvent, type RecapCounters } from './events.js'
import { HostLocks, lockOwner } from './host-lock.js'
import { runPlay, type PlayResult } from './play.js'
import type { RunContext, RunPlaybook } from './types.js'
import { Connections } from './connections.js'
import { Halt } from './halt.js'

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

/**
 * Each host's connection, taken with the machine's host lock (not under --check: a plan changes
 * nothing, and an operator must be able to look during someone else's run).
 */
export function lockedConnect(options: Parameters<RunPlaybook>[2], locks: HostLocks | undefined): (host: InventoryHost) => Promise<Transport> {
  return async (host) => {
    const transport = await options.connect(host)
    if (locks === undefined) return transport
    try {
      // The first command's shell opens while the lock is taken: one round trip for both.
      await Promise.all([locks.acquire(transport), transport.warm?.().catch(() => undefined)])
    } catch (error) {
      await transport.close()
      throw error
    }
    return transport
  }
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
  const locks = options.check ? undefined : new HostLocks(lockOwner(runId), options.waitLockSeconds ?? 0, options.signal)
  const recap: Record<string, RecapCounters> = {}
  const counted: EmitEvent = (event) => {
    if (event.type === 'task-end') countTaskEnd((recap[event.host] ??= emptyCounters()), event.status)
    emit(event)
  }
  const run: RunContext = {
    playbookFile: playbook.file,
    playbookDir: dirname(resolve(playbook.file)),
    inventory,
    options,
    emit: counted,
    startedAt: started,
    connections: new Connections(lockedConnect(options, locks)),
    registered: new Map(),
    halt: new Halt(),
    drifted: new Set(),
  }
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
    await locks?.releaseAll()
    await run.connections.closeAll()
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
