/**
 * The watch rows: `tend watch` on the 10 real hosts against the same work fired by a timer
 * (tend run, ansible-playbook per firing), and, unless --no-scale, `tend watch` on the scale
 * scenario's 1,000 inventory entries (100 template units on each of the 10 hosts) against the
 * scale row's `tend run` at the same forks. The stable window is 0, so what is measured is the
 * checking, not a sleep.
 */
import type { BenchOptions } from './args.js'
import type { BenchBed } from './hosts.js'
import { targetsOf } from './hosts.js'
import { onPath } from './prereq.js'
import type { PeerName } from './peers.js'
import { inputFor, scalePlaybooks } from './plan.js'
import { SCENARIO } from './report.js'
import type { ResultRow } from './results.js'
import { installScaleUnits, scaleTargets } from './scale.js'
import { runScenario } from './scenario.js'
import { measureWatch, timerPeers, type WatchRow } from './watch.js'

const WINDOW_MS = 30_000
const SCALE_ENTRIES = 1000
/** The scale scenario's middle fork count (its floor runs at 50 too). */
const SCALE_FORKS = 50

export async function watchScenarios(
  bed: BenchBed, options: BenchOptions, work: string, tendEntry: string, rows: ResultRow[], signal: AbortSignal, log: (line: string) => void,
): Promise<WatchRow[]> {
  const targets = targetsOf(bed.hosts)
  const input = await inputFor(tendEntry, work, 'watch', targets, options.forks, { stable_seconds: '0' })
  const peers: PeerName[] = onPath('ansible-playbook') ? ['tend', 'ansible'] : ['tend']
  if (peers.length === 1) log('bench: ansible-playbook not installed: the watch row compares with tend run only')
  const timerRows = await runScenario({
    name: 'no-change per timer firing, 10 hosts, stable 0', hosts: targets.length, peers,
    iterations: options.fleetIterations, input, expectChangedHosts: 0, timeoutMs: 300_000,
  }, signal, log)
  rows.push(...timerRows)
  const ten = await measureWatch(input, targets.length, WINDOW_MS, signal, log)
  const out: WatchRow[] = [{ ...ten, scenario: `watch vs timer, ${targets.length} hosts`, timer: timerPeers(timerRows) }]
  if (!options.scale) return out
  // Idempotent: the scale scenario may have started the units already.
  await installScaleUnits(bed.hosts, Math.ceil(SCALE_ENTRIES / bed.hosts.length))
  const scaleInput = await inputFor(tendEntry, work, `watch-${SCALE_ENTRIES}`, scaleTargets(bed.hosts, SCALE_ENTRIES), SCALE_FORKS,
    { stable_seconds: '0' }, await scalePlaybooks(work))
  const big = await measureWatch(scaleInput, SCALE_ENTRIES, WINDOW_MS, signal, log)
  // The timer peer at this size is the scale row's own `tend run` (same entries, playbook and forks), when it ran.
  const scaleRun = rows.filter((r) => r.scenario === SCENARIO.scale(SCALE_ENTRIES) && r.forks === SCALE_FORKS && r.peer === 'tend')
  out.push({ ...big, scenario: `watch, ${SCALE_ENTRIES.toLocaleString('en')} inventory entries on ${bed.hosts.length} hosts`, timer: timerPeers(scaleRun) })
  return out
}
