/**
 * The watch row: `tend watch` in steady state on the real hosts (warm connections, --every 1s
 * with splay: as many host-cycles as the controller and hosts sustain), against the same work
 * started by a timer: one `tend run` / `ansible-playbook` process per firing. Reports controller
 * CPU per host-cycle (watch: the process's own utime+stime over a window, read from /proc; the
 * timer peers: a run's CPU over its hosts) and host-cycles per second (timer peers: fired back to
 * back, hosts over a run's wall time).
 */
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PeerName, RunInput } from './peers.js'
import type { ResultRow } from './results.js'

export interface WatchRow {
  readonly scenario: string
  readonly hosts: number
  readonly windowSeconds: number
  readonly cycles: number
  readonly failedCycles: number
  readonly cyclesPerSecond: number
  readonly cpuMsPerCycle: number
  readonly timer: readonly { readonly peer: PeerName; readonly cpuMsPerCycle: number; readonly cyclesPerSecond: number; readonly failedRuns: number }[]
}

const CLOCK_TICKS = 100

async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15; fields[0] here is field 3.
  return Number(fields[11]) + Number(fields[12])
}

const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms)
  signal.addEventListener('abort', () => { clearTimeout(timer); resolve() }, { once: true })
})

export async function measureWatch(input: RunInput, hosts: number, windowMs: number, signal: AbortSignal, log: (line: string) => void): Promise<Omit<WatchRow, 'timer' | 'scenario'>> {
  const stateDir = await mkdtemp(join(tmpdir(), 'tend-bench-watch-'))
  const extra = Object.entries(input.extraVars).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  const child = spawn(process.execPath, [input.tendEntry, 'watch', input.tendPlaybook, '-i', input.inventoryFile, '--every', '1s', '--splay', '1s',
    '--forks', String(input.forks), '--json', '--state-dir', stateDir, ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  const ends: { host: string; outcome: string }[] = []
  let buffer = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) {
      const event = JSON.parse(line) as { type: string; host?: string; outcome?: string }
      if (event.type === 'cycle-end') ends.push({ host: event.host!, outcome: event.outcome! })
    }
  })
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve))
  try {
    // Warm: every host through two cycles (connections open, caches filled).
    const deadline = Date.now() + 300_000
    const warmHosts = () => [...new Set(ends.map((e) => e.host))].filter((h) => ends.filter((e) => e.host === h).length >= 2).length
    while (warmHosts() < hosts) {
      if (Date.now() > deadline || child.exitCode !== null || signal.aborted) throw new Error(`watch did not warm up: ${stderr.slice(-800)}`)
      await sleep(200, signal)
    }
    const [ticks0, n0, t0] = [await cpuTicks(child.pid!), ends.length, performance.now()]
    await sleep(windowMs, signal)
    const [ticks1, n1, t1] = [await cpuTicks(child.pid!), ends.length, performance.now()]
    const cycles = n1 - n0
    const windowSeconds = (t1 - t0) / 1000
    log(`  watch: ${cycles} host-cycles in ${windowSeconds.toFixed(1)} s, ${(((ticks1 - ticks0) / CLOCK_TICKS) * 1000 / Math.max(cycles, 1)).toFixed(1)} ms CPU each`)
    return {
      hosts, windowSeconds, cycles, failedCycles: ends.slice(n0, n1).filter((e) => e.outcome !== 'ok').length,
      cyclesPerSecond: cycles / windowSeconds, cpuMsPerCycle: (((ticks1 - ticks0) / CLOCK_TICKS) * 1000) / Math.max(cycles, 1),
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
    peer: r.peer, failedRuns: r.failedRuns,
    cpuMsPerCycle: (r.cpuSeconds.median * 1000) / r.hosts,
    cyclesPerSecond: r.hosts / r.wallSeconds.median,
  }))
}

export function renderWatchTable(row: WatchRow): string {
  const lines = [
    `| ${row.scenario} | CPU ms per host-cycle | host-cycles/s | failed |`,
    '| --- | --- | --- | --- |',
    `| tend watch (warm, --every 1s, ${row.cycles} cycles in ${row.windowSeconds.toFixed(0)} s) | ${row.cpuMsPerCycle.toFixed(1)} | ${row.cyclesPerSecond.toFixed(2)} | ${row.failedCycles} |`,
    ...row.timer.map((t) => `| ${t.peer} ${t.peer === 'tend' ? 'run' : 'ansible-playbook'} per timer firing | ${t.cpuMsPerCycle.toFixed(1)} | ${t.cyclesPerSecond.toFixed(2)} | ${t.failedRuns} |`),
  ]
  return lines.join('\n')
}
