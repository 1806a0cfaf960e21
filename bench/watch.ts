/**
 * The watch row: `tend watch` in steady state on the real hosts (warm connections, --every 1s
 * with splay: as many host-cycles as the controller and hosts sustain), against the same work
 * started by a timer: one `tend run` / `ansible-playbook` process per firing. Reports controller
 * CPU per host-cycle (watch: the process's own utime+stime over a window, read from /proc; the
 * timer peers: a run's CPU over its hosts) and host-cycles per second (timer peers: fired back to
 * back, hosts over a run's wall time).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerName, RunInput } from './peers.js'
import { cpuSecondsOf, peakRssMbOf } from './proc.js'
import type { ResultRow } from './results.js'

export interface WatchRow {
  readonly scenario: string
  /** Inventory entries the watch converges. */
  readonly hosts: number
  readonly forks: number
  readonly windowSeconds: number
  readonly cycles: number
  readonly failedCycles: number
  readonly cyclesPerSecond: number
  readonly cpuMsPerCycle: number
  /** The watch process's user+sys seconds over the window (/proc/PID/stat). */
  readonly cpuSeconds: number
  /** The watch process's peak resident set at the end of the window (/proc/PID/status VmHWM). */
  readonly peakRssMb: number
  readonly timer: readonly TimerPeer[]
}

/** The same work fired by a timer: one process per firing, measured by GNU time. */
export interface TimerPeer {
  readonly peer: PeerName
  readonly cpuMsPerCycle: number
  readonly cyclesPerSecond: number
  readonly failedRuns: number
  /** Median CPU s of one run (one firing). */
  readonly cpuSeconds: number
  readonly peakRssMb: number
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const onAbort = (): void => { clearTimeout(timer); resolve() }
  // The listener goes with the timer: the warm-up polls hundreds of times on one signal.
  const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve() }, ms)
  signal.addEventListener('abort', onAbort, { once: true })
})

export async function measureWatch(input: RunInput, hosts: number, windowMs: number, signal: AbortSignal, log: (line: string) => void): Promise<Omit<WatchRow, 'timer' | 'scenario'>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'tend-bench-watch-'))
  const extra = Object.entries(input.extraVars).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  const child = spawn(process.execPath, [input.tendEntry, 'watch', input.tendPlaybook, '-i', input.inventoryFile, '--every', '1s', '--splay', '1s',
    '--forks', String(input.forks), '--json', '--state-dir', stateDir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  const ends: { host: string; outcome: string }[] = []
  const perHost = new Map<string, number>()
  let buffer = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      const event = JSON.parse(line) as { type: string; host?: string; outcome?: string }
      if (event.type !== 'cycle-end') continue
      ends.push({ host: event.host!, outcome: event.outcome! })
      perHost.set(event.host!, (perHost.get(event.host!) ?? 0) + 1)
    }
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  try {
    // Warm: every host through two cycles (connections open, caches filled).
    const deadline = Date.now() + 300_000 + hosts * 300
    const warmHosts = () => [...perHost.values()].filter((n) => n >= 2).length
    while (warmHosts() < hosts) {
      if (Date.now() > deadline || child.exitCode !== null || signal.aborted) throw new Error(`watch did not warm up: ${stderr.slice(-800)}`)
      await sleep(200, signal)
    }
    const [cpu0, n0, t0] = [await cpuSecondsOf(child.pid!), ends.length, performance.now()]
    await sleep(windowMs, signal)
    const [cpu1, n1, t1] = [await cpuSecondsOf(child.pid!), ends.length, performance.now()]
    const peak = await peakRssMbOf(child.pid!)
    const cycles = n1 - n0
    const windowSeconds = (t1 - t0) / 1000
    const cpuSeconds = cpu1 - cpu0
    log(`  watch ${hosts} entries: ${cycles} host-cycles in ${windowSeconds.toFixed(1)} s, ${(cpuSeconds * 1000 / Math.max(cycles, 1)).toFixed(1)} ms CPU each, peak RSS ${peak.toFixed(0)} MB`)
    return {
      hosts, forks: input.forks, windowSeconds, cycles, failedCycles: ends.slice(n0, n1).filter((e) => e.outcome !== 'ok').length,
      cyclesPerSecond: cycles / windowSeconds, cpuMsPerCycle: (cpuSeconds * 1000) / Math.max(cycles, 1), cpuSeconds, peakRssMb: peak,
    }
  } finally {
    child.kill('SIGTERM')
    await exited
    await rm(stateDir, { recursive: true, force: true })
  }
}

/** The timer peers' rows (one run per firing) as per-host-cycle numbers. */
export function timerPeers(rows: readonly ResultRow[]): WatchRow['timer'] {
  return rows.map((r) => ({
    peer: r.peer, failedRuns: r.failedRuns, cpuSeconds: r.cpuSeconds.median, peakRssMb: r.peakRssMb.max,
    cpuMsPerCycle: (r.cpuSeconds.median * 1000) / r.hosts,
    cyclesPerSecond: r.hosts / r.wallSeconds.median,
  }))
}

export function renderWatchTable(row: WatchRow): string {
  const lines = [
    `| ${row.scenario} | CPU ms per host-cycle | host-cycles/s | CPU s | peak RSS MB | failed |`,
    '| --- | --- | --- | --- | --- | --- |',
    `| tend watch (warm, --every 1s, forks ${row.forks}, ${row.cycles} cycles in ${row.windowSeconds.toFixed(0)} s) | ${row.cpuMsPerCycle.toFixed(1)} | ${row.cyclesPerSecond.toFixed(2)} | ${row.cpuSeconds.toFixed(2)} (window) | ${row.peakRssMb.toFixed(0)} | ${row.failedCycles} |`,
    ...row.timer.map((t) => `| ${t.peer} ${t.peer === 'tend' ? 'run' : 'ansible-playbook'} per timer firing | ${t.cpuMsPerCycle.toFixed(1)} | ${t.cyclesPerSecond.toFixed(2)} | ${t.cpuSeconds.toFixed(2)} (a run) | ${t.peakRssMb.toFixed(0)} | ${t.failedRuns} |`),
  ]
  return lines.join('\n')
}
