import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** One measured process run. CPU and RSS come from GNU time (wait4 rusage of the whole waited tree). */
export interface Measurement {
  readonly wallMs: number
  /** user + sys seconds of the process and every descendant it waited for. */
  readonly cpuSeconds: number
  /** Largest resident set of any single process in the tree, KiB (GNU time %M). */
  readonly peakRssKb: number
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

export interface MeasureOptions {
  readonly cwd?: string
  readonly env?: NodeJS.ProcessEnv
  readonly timeoutMs?: number
  readonly signal?: AbortSignal
}

export const GNU_TIME = '/usr/bin/time'

/**
 * Runs argv under `/usr/bin/time -f` and measures wall time here (the spawn of GNU time itself
 * costs ~1 ms, the same for every peer). Never throws on a non-zero exit: the caller decides.
 */
export async function measure(argv: readonly string[], options: MeasureOptions = {}): Promise<Measurement> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-bench-time-'))
  const timeFile = join(dir, 'time')
  try {
    const started = performance.now()
    const run = await spawnCollect([GNU_TIME, '-f', '%U %S %M', '-o', timeFile, '--', ...argv], options)
    const wallMs = performance.now() - started
    const [user, sys, rss] = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1)!.split(' ')
    return {
      wallMs,
      cpuSeconds: Number(user) + Number(sys),
      peakRssKb: Number(rss),
      exitCode: run.exitCode,
      stdout: run.stdout,
      stderr: run.stderr,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export interface Collected {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** Spawns argv, collects its output; a timeout or abort ends it (SIGTERM to its process group). */
export function spawnCollect(argv: readonly string[], options: MeasureOptions = {}): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    const stop = (): void => {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGTERM')
        } catch {
          // already gone
        }
      }
    }
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(stop, options.timeoutMs)
    options.signal?.addEventListener('abort', stop, { once: true })
    child.once('error', reject)
    child.once('close', (code, signal) => {
      if (timer !== undefined) clearTimeout(timer)
      options.signal?.removeEventListener('abort', stop)
      resolve({
        exitCode: code ?? (signal === null ? 128 : 128 + 15),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      })
    })
  })
}
