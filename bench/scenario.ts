import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { endMuxMasters } from './ansible-env.js'
import { measure } from './measure.js'
import { hostsChanged, tendFailures, tendRoundTripsPerHost } from './outcome.js'
import { commandFor, ROOT, type PeerName, type RunInput } from './peers.js'
import { summarise, type PeerRun, type ResultRow } from './results.js'

/** One desired state, run by several peers, alternating, several times. */
export interface Scenario {
  readonly name: string
  /** Inventory entries (for ms/host). */
  readonly hosts: number
  readonly peers: readonly PeerName[]
  readonly iterations: number
  readonly input: RunInput
  /** Before every measured run, not measured (e.g. stage the incident on every host). */
  readonly beforeEach?: () => Promise<void>
  /** Every run must change this many hosts (recovery), or none (no-change). */
  readonly expectChangedHosts: number
  readonly timeoutMs: number
}

/** Measured runs of one peer; alternation happens in runScenario. */
export async function runOnce(scenario: Scenario, peer: PeerName, signal: AbortSignal): Promise<PeerRun> {
  await scenario.beforeEach?.()
  const command = commandFor(peer, scenario.input)
  const m = await measure(command.argv, { env: command.env, cwd: ROOT, timeoutMs: scenario.timeoutMs, signal })
  const extraCpuSeconds = peer === 'ansible' ? await endMuxMasters(scenario.input.ansibleDir) : 0
  const changed = hostsChanged(peer, m.stdout)
  const wrongChange = m.exitCode === 0 && changed !== scenario.expectChangedHosts
  const problems = [
    ...(wrongChange ? [`changed ${changed} hosts, expected ${scenario.expectChangedHosts}`] : []),
    ...(peer === 'tend' ? tendFailures(m.stdout) : []),
  ]
  // A run that passed but changed the wrong number of hosts did not do the scenario's work.
  const exitCode = wrongChange ? -1 : m.exitCode
  const logFile = exitCode === 0 ? undefined : await keepLog(scenario.name, peer, m.stdout, m.stderr)
  const roundTrips = peer === 'tend' ? tendRoundTripsPerHost(m.stdout) : undefined
  return {
    ...m, exitCode, extraCpuSeconds, hostsChanged: changed, problems,
    ...(roundTrips === undefined ? {} : { roundTripsPerHost: roundTrips }), ...(logFile === undefined ? {} : { logFile }),
  }
}

const FAILURE_DIR = join(tmpdir(), 'tend-bench-failures')

async function keepLog(scenario: string, peer: PeerName, stdout: string, stderr: string): Promise<string> {
  await mkdir(FAILURE_DIR, { recursive: true })
  const file = join(FAILURE_DIR, `${scenario.replace(/[^a-z0-9]+/gi, '-')}-${peer}-${Date.now()}.log`)
  await writeFile(file, `--- stdout\n${stdout}\n--- stderr\n${stderr}\n`)
  return file
}

export async function runScenario(
  scenario: Scenario, signal: AbortSignal, log: (line: string) => void,
): Promise<ResultRow[]> {
  const runs = new Map<PeerName, PeerRun[]>(scenario.peers.map((p) => [p, []]))
  for (let i = 1; i <= scenario.iterations; i++) {
    for (const peer of scenario.peers) {
      if (signal.aborted) throw new Error('interrupted')
      const run = await runOnce(scenario, peer, signal)
      runs.get(peer)!.push(run)
      const status = run.exitCode === 0 ? '' : `  FAILED (exit ${run.exitCode})`
      log(`  ${scenario.name} #${i} ${peer.padEnd(7)} ${(run.wallMs / 1000).toFixed(2)} s  cpu ${run.cpuSeconds.toFixed(2)} s  rss ${(run.peakRssKb / 1024).toFixed(0)} MB${status}`)
    }
  }
  return scenario.peers.map((peer) =>
    summarise(scenario.name, peer, scenario.hosts, scenario.input.forks, runs.get(peer)!))
}
