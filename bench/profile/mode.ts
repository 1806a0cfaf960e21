/**
 * `npm run bench -- --profile`: after one plain warm-up run, each iteration runs tend twice: once
 * with only the timeline preload (bench/profile/timeline.mjs: it costs about a millisecond, so
 * its phases are the real ones) and once under the V8 CPU profiler (sampling every 250 µs slows
 * the CPU-bound phases down about twofold: its shares count, not its wall time). Prints the CPU
 * profile by group and the timeline per phase and per task, and writes both to
 * bench/results/profile-SCENARIO.json (beside --out).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parse } from 'yaml'
import { measure } from '../measure.js'
import { ROOT, tendCommand } from '../peers.js'
import type { Scenario } from '../scenario.js'
import { meanCpuSummary, renderCpuSummary, summariseCpuProfile, type CpuProfile, type CpuSummary } from './cpu.js'
import { renderTimeline, runTimeline, summariseTimelines, type RawTimeline, type TimelineSummary } from './phases.js'

const TIMELINE = pathToFileURL(join(ROOT, 'bench', 'profile', 'timeline.mjs')).href
const SAMPLE_INTERVAL_US = 250

export interface ProfileResult {
  readonly scenario: string
  readonly hosts: number
  readonly runs: number
  readonly failedRuns: number
  /** Of the timeline runs (median): wall, CPU s and peak RSS as GNU time sees them. */
  readonly wallSeconds: number
  readonly cpuSeconds: number
  readonly peakRssMb: number
  /** Of the CPU-profiled runs (median), for comparison: the profiler's own cost. */
  readonly profiledWallSeconds: number
  readonly cpu: CpuSummary
  readonly timeline: TimelineSummary
}

/** Inventory host → `address:port`, as ssh2 names the connection. */
async function connections(inventoryFile: string): Promise<Map<string, string>> {
  const doc = parse(await readFile(inventoryFile, 'utf8')) as { all: { children: Record<string, { hosts: Record<string, { ansible_host: string; ansible_port: number }> }> } }
  const out = new Map<string, string>()
  for (const group of Object.values(doc.all.children)) {
    for (const [name, h] of Object.entries(group.hosts)) out.set(name, `${h.ansible_host}:${h.ansible_port}`)
  }
  return out
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

export async function profileScenario(scenario: Scenario, outDir: string, signal: AbortSignal, log: (line: string) => void): Promise<ProfileResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-bench-profile-'))
  const conns = await connections(scenario.input.inventoryFile)
  const command = tendCommand(scenario.input)
  const [node, ...rest] = command.argv
  const cpus: CpuSummary[] = []
  const timelines = []
  const measured = []
  const profiled = []
  let failedRuns = 0
  try {
    await measure(command.argv, { env: command.env, cwd: ROOT, timeoutMs: scenario.timeoutMs, signal }) // warm-up
    for (let i = 1; i <= scenario.iterations && !signal.aborted; i++) {
      await scenario.beforeEach?.()
      const runDir = join(dir, String(i))
      await mkdir(runDir)
      const timelineFile = join(runDir, 'timeline.json')
      const m = await measure([node!, '--import', TIMELINE, ...rest],
        { env: { ...command.env, TEND_PROFILE_TIMELINE: timelineFile }, cwd: ROOT, timeoutMs: scenario.timeoutMs, signal })
      await scenario.beforeEach?.()
      const p = await measure([node!, '--cpu-prof', '--cpu-prof-dir', runDir, '--cpu-prof-interval', String(SAMPLE_INTERVAL_US), ...rest],
        { env: command.env, cwd: ROOT, timeoutMs: scenario.timeoutMs, signal })
      for (const run of [m, p]) if (run.exitCode !== 0) failedRuns++
      // A failed run's numbers are not the scenario's: counted as failed, left out of the medians.
      if (m.exitCode === 0) measured.push(m)
      if (p.exitCode === 0) profiled.push(p)
      const failure = [m, p].find((r) => r.exitCode !== 0)
      log(`  profile ${scenario.name} #${i} timeline ${(m.wallMs / 1000).toFixed(2)} s  cpu ${m.cpuSeconds.toFixed(2)} s; cpu-profiled ${(p.wallMs / 1000).toFixed(2)} s${failure === undefined ? '' : `  FAILED (exit ${failure.exitCode}): ${failure.stderr.slice(-400)}`}`)
      const profile = (await readdir(runDir)).find((f) => f.endsWith('.cpuprofile'))
      if (p.exitCode === 0 && profile !== undefined) cpus.push(summariseCpuProfile(JSON.parse(await readFile(join(runDir, profile), 'utf8')) as CpuProfile))
      if (m.exitCode === 0) timelines.push(runTimeline(JSON.parse(await readFile(timelineFile, 'utf8')) as RawTimeline, (host) => conns.get(host)))
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
  const result: ProfileResult = {
    scenario: scenario.name, hosts: scenario.hosts, runs: scenario.iterations, failedRuns,
    wallSeconds: median(measured.map((m) => m.wallMs / 1000)), cpuSeconds: median(measured.map((m) => m.cpuSeconds)),
    peakRssMb: median(measured.map((m) => m.peakRssKb / 1024)), profiledWallSeconds: median(profiled.map((m) => m.wallMs / 1000)),
    cpu: meanCpuSummary(cpus), timeline: summariseTimelines(timelines),
  }
  const file = join(outDir, `profile-${scenario.name.replace(/[^a-z0-9]+/gi, '-').replace(/-+$/, '')}.json`)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, JSON.stringify(result, null, 2) + '\n')
  log(`bench: profile in ${file}`)
  return result
}

export function renderProfile(r: ProfileResult): string {
  return [
    `## profile: ${r.scenario} (tend, ${r.runs} run${r.runs === 1 ? '' : 's'} of each kind; timeline runs: median ${r.wallSeconds.toFixed(2)} s wall, ${r.cpuSeconds.toFixed(2)} CPU s, ${r.peakRssMb.toFixed(0)} MB; CPU-profiled runs: ${r.profiledWallSeconds.toFixed(2)} s wall)`,
    renderCpuSummary(r.cpu), '', renderTimeline(r.timeline),
    ...(r.failedRuns > 0 ? [`${r.failedRuns} profiled run(s) FAILED`] : []),
  ].join('\n')
}
