import type { Measurement } from './measure.js'
import type { PeerName } from './peers.js'

export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

/** One line of the table: one peer on one scenario, summarised over its iterations. */
export interface ResultRow {
  readonly scenario: string
  readonly peer: PeerName
  readonly hosts: number
  readonly forks: number
  readonly iterations: number
  readonly wallSeconds: Spread
  readonly wallPerHostMs: number
  readonly cpuSeconds: Spread
  readonly peakRssMb: Spread
  /** Runs whose exit code was not 0 (a failing run is a broken benchmark, and says so). */
  readonly failedRuns: number
  readonly firstFailure?: string
  /** Hosts changed per run (median): 0 for no-change, every host for recovery. */
  readonly hostsChanged: number
  /** tend only: round trips per converged host (its own count, `host-end` roundTrips), median. */
  readonly roundTripsPerHost?: number
}

export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
  return { median, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN }
}

export interface PeerRun extends Measurement {
  /** CPU used by processes GNU time could not wait for (ansible's detached ssh masters). */
  readonly extraCpuSeconds: number
  readonly hostsChanged: number
  readonly roundTripsPerHost?: number
  /** Why it failed, one line per host/task where the peer says (tend's task-end events). */
  readonly problems: readonly string[]
  /** Full output of a failed run, kept for reading. */
  readonly logFile?: string
}

export function summarise(
  scenario: string, peer: PeerName, hosts: number, forks: number, runs: readonly PeerRun[],
): ResultRow {
  const failed = runs.filter((r) => r.exitCode !== 0)
  const wall = spread(runs.map((r) => r.wallMs / 1000))
  const trips = runs.flatMap((r) => (r.roundTripsPerHost === undefined ? [] : [r.roundTripsPerHost]))
  return {
    scenario, peer, hosts, forks,
    iterations: runs.length,
    wallSeconds: wall,
    wallPerHostMs: (wall.median * 1000) / hosts,
    cpuSeconds: spread(runs.map((r) => r.cpuSeconds + r.extraCpuSeconds)),
    peakRssMb: spread(runs.map((r) => r.peakRssKb / 1024)),
    failedRuns: failed.length,
    hostsChanged: spread(runs.map((r) => r.hostsChanged)).median,
    ...(trips.length > 0 && { roundTripsPerHost: spread(trips).median }),
    ...(failed[0] === undefined ? {} : { firstFailure: describeFailure(failed[0]) }),
  }
}

function describeFailure(run: PeerRun): string {
  const tail = (text: string) => text.trim().split('\n').slice(-8).join('\n')
  const why = run.problems.length > 0
    ? [...run.problems.slice(0, 5), ...(run.problems.length > 5 ? [`… ${run.problems.length - 5} more`] : [])].join('\n')
    : tail(run.stderr) || tail(run.stdout)
  return `exit ${run.exitCode}: ${why.slice(0, 2000)}${run.logFile === undefined ? '' : `\n(full output: ${run.logFile})`}`
}

/** tend's median wall time divided by a peer's, per scenario (below 1 = tend is faster). */
export interface Ratio {
  readonly scenario: string
  readonly forks: number
  readonly versus: PeerName
  readonly tendOverPeer: number
  /** peer / tend: "N× faster". */
  readonly speedup: number
}

export function ratios(rows: readonly ResultRow[]): Ratio[] {
  const out: Ratio[] = []
  for (const tend of rows.filter((r) => r.peer === 'tend')) {
    for (const peer of rows) {
      if (peer.peer === 'tend' || peer.scenario !== tend.scenario || peer.forks !== tend.forks) continue
      out.push({
        scenario: tend.scenario, forks: tend.forks, versus: peer.peer,
        tendOverPeer: tend.wallSeconds.median / peer.wallSeconds.median,
        speedup: peer.wallSeconds.median / tend.wallSeconds.median,
      })
    }
  }
  return out
}
