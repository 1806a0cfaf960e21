/**
 * The queue rows: the same no-change run on the 10 real hosts in process and through `--queue`
 * with 1 and 2 workers (the queue's overhead as a ratio of wall time), and the jobs/s one worker
 * sustains on no-op hosts (inventory entries with nothing to do: pure queue cost). Redis and the
 * workers are started here and ended by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { measure } from './measure.js'
import type { RunInput } from './peers.js'
import { cpuSecondsOf, peakRssMbOf } from './proc.js'

/**
 * CPU and memory of one way of running: the controller (GNU time) plus, through the queue, every
 * worker and redis-server (their /proc/PID/stat over the run: they live across runs).
 */
export interface QueueCost {
  /** Median user+sys seconds of a run, all processes together. */
  readonly cpuSeconds: number
  /** Largest single process: the controller's GNU time %M, a worker's or redis's VmHWM. */
  readonly peakRssMb: number
}

export interface QueueRow {
  readonly hosts: number
  readonly inProcessSeconds: number
  readonly oneWorkerSeconds: number
  readonly twoWorkersSeconds: number
  readonly noopJobs: number
  readonly noopJobsPerSecond: number
  readonly failedRuns: number
  readonly inProcess: QueueCost
  readonly oneWorker: QueueCost
  readonly twoWorkers: QueueCost
  readonly noop: QueueCost
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

/** Starts a child and resolves once its stderr says `ready`. */
function started(child: ChildProcess, ready: RegExp): Promise<void> {
  let text = ''
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString()
      if (ready.test(text)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`exited (${code}) before ready: ${text.slice(-400)}`)))
  })
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve()
    c.once('exit', () => resolve())
    c.kill('SIGTERM')
  })))
}

export async function measureQueue(input: RunInput, hosts: number, iterations: number, signal: AbortSignal, log: (line: string) => void): Promise<QueueRow> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-bench-queue-'))
  const port = await freePort()
  const redis = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${port}`
  const workers: ChildProcess[] = []
  const startWorkers = async (count: number, concurrency: number) => {
    await stopAll(workers.splice(0))
    for (let i = 0; i < count; i++) {
      const child = spawn(process.execPath, [input.tendEntry, 'worker', '--queue', url, '--concurrency', String(concurrency), '--name', `bench-${i}`], { stdio: ['ignore', 'ignore', 'pipe'] })
      workers.push(child)
      await started(child, /taking jobs/)
    }
  }
  const extra = Object.entries(input.extraVars).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  const servers = (): number[] => [redis.pid!, ...workers.map((w) => w.pid!)]
  const serversCpu = async (): Promise<number> => (await Promise.all(servers().map(cpuSecondsOf))).reduce((a, b) => a + b, 0)
  const measured = async (argv: readonly string[]) => {
    const before = await serversCpu()
    const m = await measure(argv, { timeoutMs: 300_000, signal })
    const cpuSeconds = m.cpuSeconds + (await serversCpu()) - before
    const peakRssMb = Math.max(m.peakRssKb / 1024, ...(await Promise.all(servers().map(peakRssMbOf))))
    return { seconds: m.wallMs / 1000, failed: m.exitCode !== 0, cpuSeconds, peakRssMb }
  }
  const run = (args: readonly string[]) =>
    measured([process.execPath, input.tendEntry, 'run', input.tendPlaybook, '-i', input.inventoryFile, '--json', '--forks', String(input.forks), ...extra, ...args])
  let failedRuns = 0
  const costs = new Map<string, QueueCost>()
  const timed = async (label: string, args: readonly string[]) => {
    const runs: Awaited<ReturnType<typeof run>>[] = []
    for (let i = 0; i < iterations && !signal.aborted; i++) {
      const r = await run(args)
      if (r.failed) failedRuns++
      runs.push(r)
      log(`  queue ${label} #${i + 1} ${r.seconds.toFixed(2)} s  cpu ${r.cpuSeconds.toFixed(2)} s  rss ${r.peakRssMb.toFixed(0)} MB${r.failed ? '  FAILED' : ''}`)
    }
    costs.set(label, { cpuSeconds: median(runs.map((r) => r.cpuSeconds)), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) })
    return median(runs.map((r) => r.seconds))
  }
  try {
    await new Promise((resolve) => setTimeout(resolve, 300))
    const inProcessSeconds = await timed('in process', [])
    await startWorkers(1, input.forks)
    await run(['--queue', url]) // warm: the worker's first connections and module loads
    const oneWorkerSeconds = await timed('1 worker', ['--queue', url])
    await startWorkers(2, Math.ceil(input.forks / 2))
    const twoWorkersSeconds = await timed('2 workers', ['--queue', url])
    // No-op hosts: entries with nothing to do; one worker, the queue's own cost per job.
    await startWorkers(1, 10)
    const noopJobs = 200
    const inventory = join(dir, 'noop.yml')
    await writeFile(inventory, `all:\n  hosts:\n${Array.from({ length: noopJobs }, (_, i) => `    noop${i}: { ansible_connection: local }\n`).join('')}`)
    await writeFile(join(dir, 'noop.yaml'), '- hosts: all\n  tasks: []\n')
    const noop = await measured([process.execPath, input.tendEntry, 'run', join(dir, 'noop.yaml'), '-i', inventory, '--json', '--queue', url])
    if (noop.failed) failedRuns++
    const noopJobsPerSecond = noopJobs / noop.seconds
    log(`  queue no-op: ${noopJobs} jobs in ${noop.seconds.toFixed(2)} s through 1 worker: ${noopJobsPerSecond.toFixed(0)} jobs/s`)
    const cost = (label: string): QueueCost => costs.get(label) ?? { cpuSeconds: NaN, peakRssMb: NaN }
    return {
      hosts, inProcessSeconds, oneWorkerSeconds, twoWorkersSeconds, noopJobs, noopJobsPerSecond, failedRuns,
      inProcess: cost('in process'), oneWorker: cost('1 worker'), twoWorkers: cost('2 workers'), noop: { cpuSeconds: noop.cpuSeconds, peakRssMb: noop.peakRssMb },
    }
  } finally {
    await stopAll(workers)
    await stopAll([redis])
    await rm(dir, { recursive: true, force: true })
  }
}

export function renderQueueTable(row: QueueRow): string {
  const ratio = (s: number) => (s / row.inProcessSeconds).toFixed(2)
  const cost = (c: QueueCost) => `${c.cpuSeconds.toFixed(2)} | ${c.peakRssMb.toFixed(0)}`
  return [
    `| no-change, ${row.hosts} hosts | wall s (median) | vs in process | CPU s (controller + workers + redis) | peak RSS MB |`,
    '| --- | --- | --- | --- | --- |',
    `| tend run (in process) | ${row.inProcessSeconds.toFixed(2)} | 1.00 | ${cost(row.inProcess)} |`,
    `| tend run --queue, 1 worker | ${row.oneWorkerSeconds.toFixed(2)} | ${ratio(row.oneWorkerSeconds)} | ${cost(row.oneWorker)} |`,
    `| tend run --queue, 2 workers | ${row.twoWorkersSeconds.toFixed(2)} | ${ratio(row.twoWorkersSeconds)} | ${cost(row.twoWorkers)} |`,
    '',
    `| no-op jobs through 1 worker | jobs | jobs/s | CPU s (controller + worker + redis) | peak RSS MB |`,
    '| --- | --- | --- | --- | --- |',
    `| ${row.noopJobs} entries, nothing to do | ${row.noopJobs} | ${row.noopJobsPerSecond.toFixed(0)} | ${cost(row.noop)} |`,
    ...(row.failedRuns > 0 ? ['', `${row.failedRuns} queued run(s) FAILED`] : []),
  ].join('\n')
}
