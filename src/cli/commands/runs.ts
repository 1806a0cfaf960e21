/**
 * `tend runs`: the recorded runs of a state dir, newest first; `tend runs RUN_ID`: one run, host
 * by host, with the evidence of each host's last convergence (its task results). `--json` for both.
 */
import { ExitCode } from '../../exit-codes.js'
import { shownExtraVars, shownPlan, type FrozenPlan } from '../../rollout/plan.js'
import type { HostCycle } from '../../state/cycles.js'
import { resumeCommandOf, stateDirOf } from '../../state/dir.js'
import { cyclesOfRun } from '../../state/run-progress.js'
import { getRun, isResumable, listRuns, runHosts, type RunRecord } from '../../state/runs.js'
import { StateStore } from '../../state/store.js'
import type { RunsFlags } from '../flags.js'
import { UsageError } from '../report-error.js'
import { controllerAlive } from '../controller-alive.js'
import { visible } from '../render/visible.js'

const time = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString())

/** The status as an operator reads it: a `running` run whose controller is gone was interrupted. */
export function statusText(run: RunRecord): string {
  if (run.status === 'running' && !controllerAlive(run)) return 'interrupted (controller gone)'
  if (run.status === 'halted') return `halted at ${run.reason ?? 'a batch'}`
  if (run.status === 'failed' && run.reason !== undefined) return `failed: ${run.reason}`
  return run.status
}

function summary(run: RunRecord) {
  return {
    id: run.id, kind: run.kind, playbook: run.playbook, startedAt: time(run.startedAt), finishedAt: time(run.finishedAt),
    status: run.status === 'running' && !controllerAlive(run) ? 'interrupted' : run.status, statusText: statusText(run),
    ...(run.reason !== undefined && { reason: run.reason }), ...(run.exitCode !== undefined && { exitCode: run.exitCode }),
    controller: run.controller, pid: run.pid,
  }
}

function lastCycles(store: StateStore, runId: string): Map<string, HostCycle> {
  const last = new Map<string, HostCycle>()
  for (const cycle of cyclesOfRun(store, runId)) if (!last.has(cycle.host)) last.set(cycle.host, cycle)
  return last
}

function detail(store: StateStore, run: RunRecord) {
  const cycles = lastCycles(store, run.id)
  const resumable = isResumable(run, (r) => !controllerAlive(r))
  return {
    ...summary(run),
    ...(resumable && { resume: resumeCommandOf(run.id, store.dir, process.env, shownExtraVars(run.plan)) }),
    plan: shownPlan(run.plan as FrozenPlan),
    hosts: runHosts(store, run.id).map((h) => {
      const cycle = cycles.get(h.host)
      return {
        ...h, updatedAt: time(h.updatedAt),
        ...(cycle !== undefined && { lastConvergence: { outcome: cycle.outcome, startedAt: time(cycle.startedAt), durationMs: cycle.durationMs, changes: cycle.changes, evidence: cycle.evidence } }),
      }
    }),
  }
}

/** A watch: its schedule, and per host its cycles by outcome and the last one (newest first in the store). */
function watchDetail(store: StateStore, run: RunRecord) {
  const byHost = new Map<string, { cycles: Record<string, number>; last: HostCycle }>()
  for (const cycle of cyclesOfRun(store, run.id)) {
    const entry = byHost.get(cycle.host) ?? { cycles: {}, last: cycle }
    entry.cycles[cycle.outcome] = (entry.cycles[cycle.outcome] ?? 0) + 1
    byHost.set(cycle.host, entry)
  }
  return {
    ...summary(run),
    plan: run.plan,
    hosts: [...byHost].sort(([a], [b]) => a.localeCompare(b)).map(([host, { cycles, last }]) => ({
      host, cycles,
      lastCycle: { outcome: last.outcome, startedAt: time(last.startedAt), durationMs: last.durationMs, changes: last.changes, ...(last.message !== undefined && { message: last.message }) },
    })),
  }
}

function watchDetailText(view: ReturnType<typeof watchDetail>): string {
  const plan = view.plan as { everyMs?: number; forks?: number } | null
  const lines = [
    `watch ${view.id}: ${view.statusText}`, `  playbook: ${view.playbook}`,
    `  started:  ${view.startedAt}${view.finishedAt ? `, finished ${view.finishedAt}` : ''}`, `  controller: ${view.controller} (pid ${view.pid})`,
    ...(plan?.everyMs !== undefined ? [`  every ${plan.everyMs / 1000}s, forks ${plan.forks ?? '?'}`] : []),
  ]
  if (view.hosts.length === 0) lines.push('', '  no host-cycle recorded')
  for (const host of view.hosts) {
    const counts = Object.entries(host.cycles).map(([outcome, n]) => `${outcome}=${n}`).join(' ')
    lines.push(`  ${host.host.padEnd(20)} ${counts}; last ${host.lastCycle.outcome} at ${host.lastCycle.startedAt}${host.lastCycle.message ? ` — ${host.lastCycle.message.split('\n')[0]}` : ''}`)
  }
  return lines.join('\n') + '\n'
}

function listText(runs: readonly RunRecord[]): string {
  if (runs.length === 0) return 'no recorded runs\n'
  const rows = runs.map((r) => [r.id, r.playbook, time(r.startedAt)?.replace('T', ' ').slice(0, 19) ?? '', statusText(r)])
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length), ['ID', 'PLAYBOOK', 'STARTED'][i]!.length))
  const line = (row: readonly string[]) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ')
  return [line(['ID', 'PLAYBOOK', 'STARTED', 'STATUS']), ...rows.map(line)].join('\n') + '\n'
}

function detailText(view: ReturnType<typeof detail>): string {
  const lines = [`run ${view.id}: ${view.statusText}`, `  playbook: ${view.playbook}`, `  started:  ${view.startedAt}${view.finishedAt ? `, finished ${view.finishedAt}` : ''}`, `  controller: ${view.controller} (pid ${view.pid})`]
  if (view.resume !== undefined) lines.push(`  resume with: ${view.resume}`)
  let play = -1
  for (const host of view.hosts) {
    if (host.play !== play) lines.push('', `PLAY ${(host.play + 1)}: ${(view.plan as { plays?: { name: string }[] }).plays?.[host.play]?.name ?? ''}`)
    play = host.play
    lines.push(`  ${host.host.padEnd(20)} batch ${String(host.batch).padEnd(3)} ${host.status}${host.message ? ` — ${host.message}` : ''}`)
    const last = host.lastConvergence
    if (last === undefined) continue
    lines.push(`      last convergence ${last.startedAt} (${last.outcome}, ${(last.durationMs / 1000).toFixed(1)}s):`)
    for (const e of last.evidence as { task: string; status: string; message?: string }[]) {
      lines.push(`        ${e.status.padEnd(8)} ${e.task}${e.message ? ` — ${e.message.split('\n')[0]}` : ''}`)
    }
  }
  return lines.join('\n') + '\n'
}

export async function runsCommand(runId: string | undefined, flags: RunsFlags): Promise<number> {
  const store = StateStore.open(stateDirOf(flags.stateDir))
  try {
    if (runId === undefined) {
      const runs = listRuns(store, { limit: flags.count ?? 50 })
      process.stdout.write(flags.json === true ? JSON.stringify(runs.map(summary)) + '\n' : visible(listText(runs)))
      return ExitCode.ok
    }
    const run = getRun(store, runId)
    if (run === undefined) throw new UsageError(`no run ${runId} in ${store.dir}`)
    if (run.kind === 'watch') {
      const view = watchDetail(store, run)
      process.stdout.write(flags.json === true ? JSON.stringify(view) + '\n' : visible(watchDetailText(view)))
      return ExitCode.ok
    }
    const view = detail(store, run)
    process.stdout.write(flags.json === true ? JSON.stringify(view) + '\n' : visible(detailText(view)))
    return ExitCode.ok
  } finally {
    store.close()
  }
}
