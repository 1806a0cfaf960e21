/** Runs the real `tend` (bin/tend.js under node) in a scratch project directory. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const TEND = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/tend.js')

export interface Finished {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A temp directory holding the given files (paths relative to it). */
export async function project(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-cli-'))
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return dir
}

/**
 * The host lock of this machine (local transport) in a directory of this test process: test files
 * running at once converge "localhost" independently, as different machines would.
 */
const localLockDir = mkdtempSync(join(tmpdir(), 'tend-lock-'))
/** Runs are recorded in a state dir of this test process, never in the user's own. */
export const testStateDir = mkdtempSync(join(tmpdir(), 'tend-state-'))

/** Environment without colour forcing or debugging inherited from the caller. */
export function cleanEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TEND_LOCK_DIR: localLockDir, TEND_STATE_DIR: testStateDir }
  delete env.FORCE_COLOR
  delete env.NO_COLOR
  delete env.TEND_DEBUG
  return { ...env, ...extra }
}

export function start(args: readonly string[], cwd: string, env = cleanEnv()): ChildProcess {
  return spawn(process.execPath, [TEND, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
}

export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

export function tend(args: readonly string[], cwd: string, env = cleanEnv()): Promise<Finished> {
  return finished(start(args, cwd, env))
}

/** Resolves once the child's stdout contains `text`. */
export function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = ''
    child.stdout?.on('data', (d: Buffer) => {
      seen += d.toString()
      if (seen.includes(text)) resolve()
    })
    child.on('close', () => reject(new Error(`exited before printing ${JSON.stringify(text)}:\n${seen}`)))
  })
}

/** Two hosts reached with ansible_connection: local, in groups `web` and `db`. */
export const LOCAL_INVENTORY = `all:
  children:
    web:
      hosts:
        alpha: { ansible_connection: local }
        beta: { ansible_connection: local }
    db:
      hosts:
        gamma: { ansible_connection: local, db_port: 5432 }
`

/** `PLAY RECAP` lines as {host: {ok, changed, …}}. */
export function parseRecap(stdout: string): Record<string, Record<string, number>> {
  const recap: Record<string, Record<string, number>> = {}
  const after = stdout.slice(stdout.indexOf('PLAY RECAP'))
  for (const line of after.split('\n').slice(1)) {
    const match = /^(\S+)\s+:\s+(.*)$/.exec(line)
    if (!match) continue
    recap[match[1] as string] = Object.fromEntries(
      [...(match[2] as string).matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1] as string, Number(m[2])]),
    )
  }
  return recap
}
