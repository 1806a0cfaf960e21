import type { Ratio, ResultRow, Spread } from './results.js'

/** The project's targets, reported against (never asserted: timings are not tests). */
export interface TargetCheck {
  readonly target: string
  readonly measured: string
  readonly met: boolean | 'not measured'
}

export const SCENARIO = {
  noChange1: 'no-change, 1 host',
  noChange10: 'no-change, 10 hosts',
  recovery10: 'incident recovery, 10 hosts',
  rollout10: 'rollout, 10 hosts, serial 2 (tend: error_budget 0 + recheck; ansible: max_fail_percentage 0, no recheck)',
  scale: (hosts: number) => `scale, ${hosts} hosts`,
} as const

export function checkTargets(rows: readonly ResultRow[], ratioList: readonly Ratio[]): TargetCheck[] {
  const ratio = (scenario: string, versus: string) =>
    ratioList.find((r) => r.scenario === scenario && r.versus === versus)
  const speedup = (scenario: string, minimum: number): TargetCheck => {
    const r = ratio(scenario, 'ansible')
    return {
      target: `${scenario}: tend ≥${minimum}× faster than ansible`,
      measured: r === undefined ? '—' : `${r.speedup.toFixed(1)}×`,
      met: r === undefined ? 'not measured' : r.speedup >= minimum,
    }
  }
  const floor = ratio(SCENARIO.noChange1, 'floor')
  const big = rows.filter((r) => r.peer === 'tend' && r.hosts >= 1000)
  const worstRss = Math.max(...big.map((r) => r.peakRssMb.max))
  return [
    speedup(SCENARIO.noChange1, 20),
    {
      target: `${SCENARIO.noChange1}: tend within 1.5× of the floor`,
      measured: floor === undefined ? '—' : `${floor.tendOverPeer.toFixed(2)}×`,
      met: floor === undefined ? 'not measured' : floor.tendOverPeer <= 1.5,
    },
    speedup(SCENARIO.noChange10, 20),
    {
      target: '1,000 hosts: tend peak RSS < 300 MB',
      measured: big.length === 0 ? '—' : `${worstRss.toFixed(0)} MB`,
      met: big.length === 0 ? 'not measured' : worstRss < 300,
    },
  ]
}

/** Round trips per host: tend's own count; the floor makes one by construction; ansible's is not counted. */
const roundTrips = (r: ResultRow): string => (r.roundTripsPerHost !== undefined ? String(r.roundTripsPerHost) : r.peer === 'floor' ? '1' : '')

const fmtSpread = (s: Spread, digits: number): string =>
  `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`

export function renderTable(rows: readonly ResultRow[], ratioList: readonly Ratio[], targets: readonly TargetCheck[]): string {
  const header = ['scenario', 'peer', 'hosts', 'forks', 'n', 'wall s median (min–max)', 'ms/host',
    'CPU s', 'peak RSS MB', 'RT/host', 'tend/ansible', 'tend/floor', 'failed']
  const body = rows.map((r) => {
    const vs = (peer: string) => {
      if (r.peer !== 'tend') return ''
      const x = ratioList.find((q) => q.scenario === r.scenario && q.forks === r.forks && q.versus === peer)
      return x === undefined ? '' : `${x.tendOverPeer.toFixed(2)} (${x.speedup.toFixed(1)}×)`
    }
    return [r.scenario, r.peer, String(r.hosts), String(r.forks), String(r.iterations),
      fmtSpread(r.wallSeconds, 2), r.wallPerHostMs.toFixed(0), r.cpuSeconds.median.toFixed(2),
      r.peakRssMb.max.toFixed(0), roundTrips(r), vs('ansible'), vs('floor'), r.failedRuns === 0 ? '' : String(r.failedRuns)]
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd()
  const table = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)]
  const targetLines = targets.map((t) =>
    `  ${t.met === true ? 'met   ' : t.met === false ? 'MISSED' : 'n/a   '} ${t.target}: ${t.measured}`)
  const failures = rows.filter((r) => r.firstFailure !== undefined)
    .map((r) => `  ${r.scenario} / ${r.peer}: ${r.firstFailure}`)
  return [...table, '', 'Targets (reported, not asserted):', ...targetLines,
    ...(failures.length === 0 ? [] : ['', 'FAILED RUNS (the benchmark is broken where these appear):', ...failures])].join('\n')
}
