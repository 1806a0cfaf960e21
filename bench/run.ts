/**
 * `npm run bench`: the api-recover desired state run by tend, by an equivalent Ansible playbook
 * and by a hand-written one-round-trip `ssh` floor, on real systemd+sshd hosts, alternating the
 * peers, reporting medians. `npm run bench -- --smoke` is the 1-host, 1-iteration proof that it works.
 */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { cpus, totalmem, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { cleanStaleTestbeds } from '../src/testbed/stale.js'
import { resetToBaseline } from '../src/testbed/stage.js'
import { parseArgs, renderOnly, wantsRender, type BenchOptions } from './args.js'
import { buildTend, SOURCE_CLI } from './build.js'
import { bootBench, tearDownBench, type BenchBed } from './hosts.js'
import { ROOT } from './peers.js'
import { scaleScenarios, smallScenarios } from './plan.js'
import { missingTools } from './prereq.js'
import { checkTargets, renderTable } from './report.js'
import { ratios, type ResultRow } from './results.js'
import { installScaleUnits } from './scale.js'
import { runOnce, runScenario, type Scenario } from './scenario.js'
import { targetsOf } from './hosts.js'
import { inputFor } from './plan.js'
import { renderWatchTable, type WatchRow } from './watch.js'
import { watchScenarios } from './watch-plan.js'
import { measureQueue, renderQueueTable, type QueueRow } from './queue.js'
import { profileScenario, renderProfile } from './profile/mode.js'
import type { RenderResult } from './render.js'

const REAL_HOSTS = 10
const log = (line: string): void => { process.stderr.write(`${line}\n`) }

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2), join(ROOT, 'bench', 'results', 'latest.json'))
  if (renderOnly(options)) return renderAlone(options)
  // The watch row alone compares with ansible only when it is installed.
  const watchOnly = options.only !== undefined && [...options.only].every((k) => k === 'watch' || k === 'queue' || k === 'render')
  const missing = missingTools(!options.smoke && !watchOnly && !options.profile)
  if (missing.length > 0) {
    for (const m of missing) log(`bench: ${m}`)
    return 2
  }
  const abort = new AbortController()
  const onSignal = (): void => { log('bench: interrupted; tearing hosts down'); abort.abort() }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  await cleanStaleTestbeds()
  const work = await mkdtemp(join(tmpdir(), 'tend-bench-'))
  const started = Date.now()
  let bed: BenchBed | undefined
  try {
    // No hosts: measured first, while the machine is quiet.
    const render = wantsRender(options) ? await (await import('./render.js')).measureRender(options.iterations, log) : undefined
    const tendEntry = options.tendFromSource ? SOURCE_CLI : await buildTend()
    log(`bench: tend runs as ${tendEntry}`)
    // One host is enough for the smoke and for the 1-host scenario alone.
    const oneHost = options.smoke || (options.only !== undefined && [...options.only].every((k) => k === 'no-change-1' || k === 'render'))
    const count = oneHost ? 1 : REAL_HOSTS
    log(`bench: booting ${count} hosts`)
    bed = await bootBench(count)
    await Promise.all(bed.hosts.map((h) => resetToBaseline(h)))
    if (options.profile) return await profileAll(bed, options, work, tendEntry, abort.signal)
    const rows = await runAll(bed, options, work, tendEntry, abort.signal)
    const watch = options.smoke || (options.only !== undefined && !options.only.has('watch'))
      ? undefined : await watchScenarios(bed, options, work, tendEntry, rows, abort.signal, log)
    const queue = options.smoke || (options.only !== undefined && !options.only.has('queue'))
      ? undefined : await queueScenario(bed, options, work, tendEntry, abort.signal)
    await writeResults(options, rows, started, tendEntry, watch, queue, render)
    return rows.some((r) => r.failedRuns > 0) ? 1 : 0
  } finally {
    if (bed !== undefined) await tearDownBench(bed).catch((err: unknown) => log(`bench: teardown: ${String(err)}`))
    await rm(work, { recursive: true, force: true })
    if (abort.signal.aborted) process.exitCode = 130
  }
}

async function runAll(bed: BenchBed, options: BenchOptions, work: string, tendEntry: string, signal: AbortSignal): Promise<ResultRow[]> {
  const small = await smallScenarios(bed.hosts, options, work, tendEntry)
  await warmUp(small, signal)
  const rows: ResultRow[] = []
  for (const scenario of small) rows.push(...await runScenario(scenario, signal, log))
  if (options.scale && (options.only === undefined || options.only.has('scale'))) {
    const perHost = Math.ceil(1000 / bed.hosts.length)
    log(`bench: starting ${perHost} api@ units on each of ${bed.hosts.length} hosts`)
    await installScaleUnits(bed.hosts, perHost)
    for (const scenario of await scaleScenarios(bed.hosts, options, work, tendEntry)) {
      rows.push(...await runScenario(scenario, signal, log))
    }
  }
  return rows
}

/** --profile: tend's runs of the 1- and 10-host scenarios profiled, instead of the peer comparison. */
async function profileAll(bed: BenchBed, options: BenchOptions, work: string, tendEntry: string, signal: AbortSignal): Promise<number> {
  let failed = 0
  for (const scenario of await smallScenarios(bed.hosts, options, work, tendEntry)) {
    const result = await profileScenario(scenario, dirname(options.out), signal, log)
    process.stdout.write(`${renderProfile(result)}\n\n`)
    failed += result.failedRuns
  }
  return failed > 0 ? 1 : 0
}

/** `--only render`: no tools checked, no hosts booted, its own result file. */
async function renderAlone(options: BenchOptions): Promise<number> {
  // Loaded only here and when the full run measures it: it loads tend's template engine.
  const { measureRender, renderRenderTable, renderResultJson } = await import('./render.js')
  const started = Date.now()
  const render = await measureRender(options.iterations, log)
  process.stdout.write(`${renderRenderTable(render)}\n`)
  await mkdir(dirname(options.out), { recursive: true })
  await writeFile(options.out, renderResultJson(started, render))
  log(`bench: results in ${options.out}`)
  return 0
}

/**
 * One unmeasured run of each peer on the first scenario: compiles and caches (tsx, python .pyc),
 * waits out the unit's stable window once after the baseline reset, and shows early that every
 * peer passes on a healthy host (a failing peer is a broken benchmark).
 */
async function warmUp(scenarios: readonly Scenario[], signal: AbortSignal): Promise<void> {
  const first = scenarios[0]
  if (first === undefined) return
  for (const peer of first.peers) {
    const run = await runOnce(first, peer, signal)
    log(`bench: warm-up ${peer} ${(run.wallMs / 1000).toFixed(2)} s${run.exitCode === 0 ? '' : ` FAILED: ${run.stderr.slice(-800)}`}`)
  }
}

/** The queue rows: in process vs --queue through 1 and 2 workers, and no-op jobs/s of one worker. */
async function queueScenario(bed: BenchBed, options: BenchOptions, work: string, tendEntry: string, signal: AbortSignal): Promise<QueueRow> {
  const targets = targetsOf(bed.hosts)
  const input = await inputFor(tendEntry, work, 'queue', targets, options.forks, { stable_seconds: '0' })
  return measureQueue(input, targets.length, options.fleetIterations, signal, log)
}

async function writeResults(options: BenchOptions, rows: readonly ResultRow[], started: number, tendEntry: string, watch?: readonly WatchRow[], queue?: QueueRow, render?: RenderResult): Promise<void> {
  const ratioList = ratios(rows)
  const targets = checkTargets(rows, ratioList)
  process.stdout.write(`${renderTable(rows, ratioList, targets)}\n`)
  for (const row of watch ?? []) process.stdout.write(`\n${renderWatchTable(row)}\n`)
  if (queue !== undefined) process.stdout.write(`\n${renderQueueTable(queue)}\n`)
  if (render !== undefined) process.stdout.write(`\n${(await import('./render.js')).renderRenderTable(render)}\n`)
  const result = {
    version: 1,
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    options: { ...options, only: options.only === undefined ? undefined : [...options.only] },
    tendEntry, rows, ratios: ratioList, targets, watch, queue, render,
  }
  await mkdir(dirname(options.out), { recursive: true })
  await writeFile(options.out, JSON.stringify(result, null, 2) + '\n')
  log(`bench: results in ${options.out}`)
}

main().then((code) => { process.exitCode ??= code }, (err: unknown) => {
  log(`bench: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode ??= 1
})
