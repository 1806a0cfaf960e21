import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import { shQuote } from '../transport/quote.js'
import { sleep } from './exec.js'

export interface SshEndpoint {
  readonly address: string
  readonly port: number
  readonly keyFile: string
  readonly knownHostsFile: string
}

export interface ShResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
}

/** OpenSSH options: strict host keys against the testbed's known_hosts, no user config, no agent. */
export function sshArgs(endpoint: SshEndpoint, user = 'root'): string[] {
  return ['-F', '/dev/null', '-i', endpoint.keyFile, '-p', String(endpoint.port),
    '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${endpoint.knownHostsFile}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'ConnectTimeout=5', '-o', 'ControlMaster=no', '-o', 'LogLevel=ERROR',
    `${user}@${endpoint.address}`]
}

/**
 * Runs a /bin/sh script on the host through OpenSSH's `ssh` binary (independent of tend's own
 * transports, so tests of those transports do not test themselves). Exit 255 is ssh's own failure.
 */
export function sshSh(endpoint: SshEndpoint, script: string, options: { timeoutMs?: number; user?: string } = {}): Promise<ShResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', ['-n', ...sshArgs(endpoint, options.user), `sh -c ${shQuote(script)}`],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000)
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString() })
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
    child.on('error', (err) => { clearTimeout(timer); reject(err) })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ exitCode: code ?? 255, stdout, stderr: signal === null ? stderr : `${stderr}killed by ${signal} (timeout)\n` })
    })
  })
}

export function tcpOpen(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: timeoutMs })
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok) }
    socket.once('connect', () => done(true))
    socket.once('timeout', () => done(false))
    socket.once('error', () => done(false))
  })
}

/** Ready = sshd accepts TCP, then a key-auth login runs a command. */
export async function waitForSsh(endpoint: SshEndpoint, timeoutMs: number, stillBooting: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = 'no TCP connection to sshd'
  while (Date.now() < deadline) {
    if (!stillBooting()) throw new Error(`systemd-nspawn exited before ${endpoint.address} was reachable`)
    if (await tcpOpen(endpoint.address, endpoint.port)) {
      const t0 = Date.now()
      const probe = await sshSh(endpoint, 'true', { timeoutMs: 10_000 })
      if (process.env.TEND_TESTBED_DEBUG) console.error(`testbed: ${endpoint.address} ssh probe exit ${probe.exitCode} in ${Date.now() - t0} ms ${probe.stderr.trim()}`)
      if (probe.exitCode === 0) return
      last = `ssh login failed: ${probe.stderr.trim()}`
    }
    await sleep(150)
  }
  throw new Error(`${endpoint.address}:${endpoint.port} not ready after ${timeoutMs} ms (${last})`)
}
