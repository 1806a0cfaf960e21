import { spawn } from 'node:child_process'

/** A finished local command; a non-zero exit is data. */
export interface Ran {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs argv on this machine (no shell). */
export function run(argv: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Ran> {
  const [cmd, ...args] = argv
  if (cmd === undefined) throw new Error('run: empty argv')
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = options.timeoutMs === undefined ? undefined
      : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    child.stdout?.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr?.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('error', (err) => { clearTimeout(timer); reject(err) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ exitCode: code ?? (signal === null ? 1 : 128 + 9), stdout, stderr })
    })
    // A command may exit without reading its input; that is its answer, not our crash.
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(options.input)
  })
}

/** Runs argv and throws with its stderr when it fails: for steps that must work. */
export async function must(argv: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await run(argv, options)
  if (result.exitCode !== 0) {
    throw new Error(`${argv.join(' ')} failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`)
  }
  return result.stdout
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
