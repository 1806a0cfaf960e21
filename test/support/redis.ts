/**
 * A throw-away redis-server per test file: 127.0.0.1, a free port, its own directory, no
 * persistence, in the foreground (its pid is ours to end). Each lives under REDIS_ROOT with an
 * owner file (the test process's pid and start time) and the pids of the processes started
 * around it (workers), so a killed test run's leftovers are ended by pid at the next start.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { join } from 'node:path'
import { isAlive, selfIdentity, startTimeOf } from '../../src/testbed/proc.js'

export const REDIS_ROOT = '/tmp/tend-test-redis'
const REDIS_SERVER = '/usr/bin/redis-server'

interface Recorded {
  readonly pid: number
  readonly startTime: string
}

function readPids(file: string): Recorded[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Recorded)
}

/** Ends the processes of test runs that are gone (by recorded pid and start time) and removes their dirs. */
export function cleanStaleRedis(root = REDIS_ROOT): string[] {
  if (!existsSync(root)) return []
  const removed: string[] = []
  for (const entry of readdirSync(root)) {
    const dir = join(root, entry)
    const owner = readPids(join(dir, 'owner'))[0]
    // No owner yet: another test process is creating it right now.
    if (owner === undefined || isAlive(owner.pid, owner.startTime)) continue
    for (const p of readPids(join(dir, 'pids'))) if (isAlive(p.pid, p.startTime)) process.kill(p.pid, 'SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    removed.push(dir)
  }
  return removed
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Sends one inline command over RESP and returns the first reply line (independent of ioredis). */
export function redisCommand(port: number, command: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    let text = ''
    const timer = setTimeout(() => socket.destroy(new Error('timeout')), timeoutMs)
    socket.on('connect', () => socket.write(`${command}\r\n`))
    socket.on('data', (d) => {
      text += d.toString()
      if (text.includes('\r\n')) {
        clearTimeout(timer)
        socket.end()
        resolve(text.split('\r\n')[0] as string)
      }
    })
    socket.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
  })
}

/** 'listening' once a TCP connection to the port is accepted (a TLS port answers no plain PING). */
function listening(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.on('connect', () => {
      socket.destroy()
      resolve('listening')
    })
    socket.on('error', () => resolve(''))
  })
}

export interface TestRedis {
  readonly port: number
  readonly url: string
  readonly pid: number
  readonly dir: string
  /** Records a process started around this Redis (a worker) so a stale cleanup ends it too. */
  track(child: ChildProcess): void
  /** SIGTERM to redis-server, waits for it to exit. */
  stop(): Promise<void>
  /** Stops Redis and removes its directory. */
  dispose(): Promise<void>
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', () => resolve()))
}

/** A self-signed certificate for 127.0.0.1 (its own CA): Redis serves TLS with it. */
export interface TestTls {
  readonly certFile: string
  readonly keyFile: string
}

export function selfSignedCert(dir: string): TestTls {
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' })
  return { certFile, keyFile }
}

export async function startRedis(options: { password?: string; tls?: boolean } = {}): Promise<TestRedis & { tls?: TestTls }> {
  cleanStaleRedis()
  mkdirSync(REDIS_ROOT, { recursive: true })
  const dir = mkdtempSync(join(REDIS_ROOT, 'r-'))
  writeFileSync(join(dir, 'owner'), JSON.stringify(selfIdentity()) + '\n')
  const port = await freePort()
  const tls = options.tls === true ? selfSignedCert(dir) : undefined
  const listen = tls === undefined ? ['--port', String(port)]
    : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile,
        '--tls-ca-cert-file', tls.certFile, '--tls-auth-clients', 'no']
  const args = [...listen, '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no',
    ...(options.password !== undefined ? ['--requirepass', options.password] : [])]
  const child = spawn(REDIS_SERVER, args, { stdio: ['ignore', 'ignore', 'inherit'] })
  const track = (c: ChildProcess) => {
    if (c.pid !== undefined) appendFileSync(join(dir, 'pids'), JSON.stringify({ pid: c.pid, startTime: startTimeOf(c.pid) ?? '' }) + '\n')
  }
  track(child)
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`
  for (let i = 0; ; i++) {
    const reply = tls !== undefined ? await listening(port) : await redisCommand(port, 'PING').catch(() => '')
    if (reply === '+PONG' || reply.startsWith('-NOAUTH') || reply === 'listening') break
    if (i > 100 || child.exitCode !== null) throw new Error(`redis-server on port ${port} did not start`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited(child)
  }
  // The test process may end without calling dispose(): do not leave Redis behind.
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return {
    port, url: `${tls === undefined ? 'redis' : 'rediss'}://${auth}127.0.0.1:${port}`, pid: child.pid ?? 0, dir, track, stop,
    ...(tls !== undefined && { tls }),
    async dispose() {
      await stop()
      // Whatever was started around this Redis and is still alive goes with it (by recorded pid).
      for (const p of readPids(join(dir, 'pids'))) if (isAlive(p.pid, p.startTime)) process.kill(p.pid, 'SIGKILL')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
