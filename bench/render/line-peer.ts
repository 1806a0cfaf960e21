import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

/** What the render scenario asks a peer process: renders/s of one template over `seconds`. */
export interface RenderRequest {
  readonly template: string
  readonly vars: string
  readonly seconds: number
  readonly warmSeconds: number
}

/** One way a peer renders (per render, compiled once): its rate and its first output, or why not. */
export interface RenderRate {
  readonly renders?: number
  readonly seconds?: number
  readonly rendersPerSecond?: number
  readonly output?: string
  readonly error?: string
}

export interface PeerAnswer {
  readonly versions?: Readonly<Record<string, string>>
  readonly rows?: Readonly<Record<string, RenderRate>>
  readonly error?: string
}

/** A peer process that stays up across rounds (its imports paid once): one JSON line in, one out. */
export interface LinePeer {
  ask(request: RenderRequest): Promise<PeerAnswer>
  close(): Promise<void>
}

/**
 * Starts argv; a peer that cannot start or dies answers `{error}` from then on (its stderr's tail),
 * so a missing peer is a row saying why, never a broken run.
 */
export function startLinePeer(argv: readonly string[], env: NodeJS.ProcessEnv): LinePeer {
  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  let dead: string | undefined
  const waiting: ((answer: PeerAnswer) => void)[] = []
  const fail = (why: string): void => {
    dead ??= why
    for (const resolve of waiting.splice(0)) resolve({ error: dead })
  }
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000) })
  child.once('error', (err) => fail(String(err)))
  child.once('exit', (code, signal) => fail(`exited (${signal ?? code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`))
  child.stdin.on('error', () => { /* reported by 'exit' */ })
  createInterface({ input: child.stdout }).on('line', (line) => {
    const resolve = waiting.shift()
    if (resolve === undefined) return
    try {
      resolve(JSON.parse(line) as PeerAnswer)
    } catch {
      resolve({ error: `not JSON: ${line.slice(0, 200)}` })
    }
  })
  return {
    ask(request) {
      if (dead !== undefined) return Promise.resolve({ error: dead })
      return new Promise((resolve) => {
        waiting.push(resolve)
        child.stdin.write(`${JSON.stringify(request)}\n`)
      })
    },
    close() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
      return new Promise((resolve) => {
        child.once('exit', () => resolve())
        child.stdin.end()
      })
    },
  }
}
