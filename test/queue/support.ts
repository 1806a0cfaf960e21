/** Queue tests: a Redis of their own and `tend worker` processes, each ended by pid. */
import type { ChildProcess } from 'node:child_process'
import { after } from 'node:test'
import { cleanEnv, start } from '../cli/support.js'
import { REPO } from '../e2e/support.js'
import { startRedis, type TestRedis } from '../support/redis.js'

export interface TestWorker {
  readonly name: string
  readonly child: ChildProcess
  /** Everything the worker printed on stderr so far. */
  log(): string
  /** Resolves when the worker's log matches. */
  waitFor(pattern: RegExp): Promise<string>
  /** Resolves with the exit code (or signal name) once the process ended. */
  readonly exit: Promise<number | string>
}

/** Lock/stall window of test workers: short, so a killed worker's job is taken over soon. */
export const STALL_SECONDS = 4

/** Environment of tend processes talking to this Redis: its TLS certificate trusted, when it has one. */
export function redisEnv(redis: TestRedis & { tls?: { certFile: string } }): NodeJS.ProcessEnv {
  return cleanEnv(redis.tls === undefined ? {} : { NODE_EXTRA_CA_CERTS: redis.tls.certFile })
}

export function startWorker(redis: TestRedis, name: string, ...extra: string[]): Promise<TestWorker> {
  const child = start(['worker', '--queue', redis.url, '--name', name, '--stall-seconds', String(STALL_SECONDS), ...extra], REPO, redisEnv(redis))
  redis.track(child)
  let text = ''
  const waiters: { pattern: RegExp; resolve: (m: string) => void }[] = []
  child.stderr?.on('data', (d: Buffer) => {
    text += d.toString()
    for (const w of [...waiters]) {
      const m = w.pattern.exec(text)
      if (m) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(m[0])
      }
    }
  })
  const exit = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)))
  const waitFor = (pattern: RegExp) => {
    const m = pattern.exec(text)
    if (m) return Promise.resolve(m[0])
    return new Promise<string>((resolve, reject) => {
      waiters.push({ pattern, resolve })
      void exit.then((code) => reject(new Error(`worker ${name} exited (${code}) before ${pattern}:\n${text}`)))
    })
  }
  const worker: TestWorker = { name, child, log: () => text, waitFor, exit }
  // Not after() here: inside a test it would end the worker with that test. The file's Redis
  // ends its workers (testRedis), and a killed file's workers are ended by the next cleanStaleRedis.
  live.add(child)
  child.once('exit', () => live.delete(child))
  return waitFor(/taking jobs/).then(() => worker)
}

/** Workers still running: ended when the file's tests are done. */
const live = new Set<ChildProcess>()

/** A Redis for this test file, stopped (after the workers still running) when the file's tests are done. */
export async function testRedis(options: { password?: string; tls?: boolean } = {}): Promise<TestRedis & { tls?: { certFile: string } }> {
  const redis = await startRedis(options)
  after(async () => {
    const ending = [...live].map((child) => new Promise((resolve) => child.once('exit', resolve)))
    for (const child of live) child.kill('SIGKILL')
    await Promise.all(ending)
    await redis.dispose()
  })
  return redis
}
