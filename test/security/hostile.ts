/**
 * The hostile-input corpus's runner: one case is a project (files, symlinks, FIFOs, sparse files),
 * a tend command line and what it must answer: an exit code, words, and file:line:column where
 * the input is a file. Each runs in a tend of its own with 1 GB of heap, under GNU time for its
 * peak memory, killed (its whole process group) when it overruns its bound.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { TestContext } from 'node:test'
import { chmodSync, closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { mkdirSync } from 'node:fs'
import { cleanEnv, TEND } from '../cli/support.js'

export type Entry =
  | string
  | Buffer
  | { readonly symlink: string }
  | { readonly fifo: true }
  | { readonly sparse: number }
  | { readonly script: string }

export interface HostileCase {
  readonly name: string
  readonly files: Readonly<Record<string, Entry>>
  readonly args: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  /** The exit code tend must give. */
  readonly code: number
  /** What stdout+stderr must say. */
  readonly says?: RegExp
  /** What they must not say (a raw control character, a secret). */
  readonly never?: RegExp
  /** A check of its own on the output: what is wrong, or undefined. */
  readonly check?: (output: string) => string | undefined
  /** Milliseconds within which tend must have answered (default 20 s). */
  readonly limitMs?: number
}

export interface Answer {
  readonly code: number | null
  readonly output: string
  readonly ms: number
  /** Peak resident memory of tend in MB, when GNU time is there to say. */
  readonly mb?: number
  readonly killed: boolean
}

const TIME = '/usr/bin/time'
const DEFAULT_LIMIT_MS = 20_000

function materialize(dir: string, files: HostileCase['files']): void {
  for (const [path, entry] of Object.entries(files)) {
    const file = join(dir, path)
    mkdirSync(dirname(file), { recursive: true })
    if (typeof entry === 'string' || Buffer.isBuffer(entry)) writeFileSync(file, entry)
    else if ('symlink' in entry) symlinkSync(entry.symlink, file)
    else if ('fifo' in entry) execFileSync('mkfifo', [file])
    else if ('sparse' in entry) {
      const fd = openSync(file, 'w')
      ftruncateSync(fd, entry.sparse)
      closeSync(fd)
    } else {
      writeFileSync(file, entry.script)
      chmodSync(file, 0o755)
    }
  }
}

export async function answer(c: HostileCase, scratch: string): Promise<Answer> {
  const dir = mkdtempSync(join(scratch, 'case-'))
  materialize(dir, c.files)
  // A state store and a lock directory per case: two cases on localhost never wait on each other.
  const env = cleanEnv({ TEND_STATE_DIR: mkdtempSync(join(scratch, 'state-')), TEND_LOCK_DIR: mkdtempSync(join(scratch, 'lock-')), ...c.env })
  const tend = [process.execPath, '--max-old-space-size=1024', TEND, ...c.args]
  const timed = existsSync(TIME)
  const [file, ...args] = timed ? [TIME, '-f', '\nTEND-PEAK-KB %M', ...tend] : tend
  const started = Date.now()
  const child = spawn(file!, args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  // The first and the last 200 kB of what tend said: enough to judge, bounded whatever it prints.
  let head = ''
  let tail = ''
  const heard = (d: Buffer): void => {
    const text = d.toString('utf8')
    if (head.length < 200_000) head += text
    else tail = (tail + text).slice(-200_000)
  }
  child.stdout.on('data', heard)
  child.stderr.on('data', heard)
  let killed = false
  const timer = setTimeout(() => {
    killed = true
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
  }, c.limitMs ?? DEFAULT_LIMIT_MS)
  const code = await new Promise<number | null>((resolve) => child.on('close', (status) => resolve(status)))
  clearTimeout(timer)
  const ms = Date.now() - started
  let output = head + tail
  const peak = /\nTEND-PEAK-KB (\d+)\s*$/.exec(output)
  if (peak) output = output.slice(0, peak.index)
  return { code, output, ms, killed, ...(peak ? { mb: Math.round(Number(peak[1]) / 1024) } : {}) }
}

/** What is wrong with an answer, or undefined when it is the one the case asks for. */
export function judgeAnswer(c: HostileCase, a: Answer): string | undefined {
  const tail = a.output.replace(/\s+/g, ' ').slice(-500)
  if (a.killed) return `no answer within ${(c.limitMs ?? DEFAULT_LIMIT_MS) / 1000} s`
  if (/unexpected error|internal error|\n\s+at [\w.<>]+ \(/.test(a.output)) return `crashed: ${tail}`
  if (a.code !== c.code) return `exit ${a.code}, expected ${c.code}: ${tail}`
  if (c.says && !c.says.test(a.output)) return `does not say ${c.says}: ${tail}`
  if (c.never && c.never.test(a.output)) return `says what it must not (${c.never}): ${tail}`
  return c.check?.(a.output)
}

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'tend-hostile-'))
}

/**
 * Runs `cases` two at a time (TEND_HOSTILE_ONLY=REGEX: only those whose name matches), reports
 * each one's answer, time and peak memory, and fails with every case that went wrong.
 */
export async function runCorpus(t: TestContext, cases: readonly HostileCase[]): Promise<void> {
  const scratch = scratchDir()
  const problems: string[] = []
  const only = process.env.TEND_HOSTILE_ONLY
  const queue = cases.filter((c) => only === undefined || new RegExp(only).test(c.name))
  const worker = async (): Promise<void> => {
    for (let c: HostileCase | undefined; (c = queue.shift()) !== undefined;) {
      const a = await answer(c, scratch)
      const problem = judgeAnswer(c, a)
      t.diagnostic(`${problem === undefined ? 'ok  ' : 'FAIL'} ${c.name}: exit ${a.code} in ${a.ms} ms, peak ${a.mb ?? '?'} MB`)
      if (problem !== undefined) problems.push(`${c.name}: ${problem}`)
    }
  }
  await Promise.all([worker(), worker()])
  assert.deepEqual(problems, [])
}
