import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { needsRoot } from '../../support/root.js'

const run = promisify(execFile)

/** A real OpenSSH sshd on 127.0.0.1, started by the test and killed after it. */
export interface Sshd {
  readonly port: number
  readonly dir: string
  /** Private key whose public half is in AuthorizedKeysFile. */
  readonly clientKey: string
  readonly hostKeyPubs: { readonly ed25519: string; readonly ecdsa: string; readonly rsa: string }
  /** `[127.0.0.1]:PORT TYPE BASE64` for a known_hosts file. */
  knownHostsLine(type: 'ed25519' | 'ecdsa' | 'rsa'): Promise<string>
  /** Everything sshd printed (-e), e.g. "Accepted publickey for root from …". */
  log(): string
  acceptedLogins(): number
  stop(): Promise<void>
}

export async function keygen(file: string, type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519'): Promise<string> {
  await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', 'tend-test', '-f', file])
  return file
}

export function freePort(): Promise<number> {
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

export interface SshdOptions {
  /** Reuse a client key (e.g. one key for a bastion and a target). */
  readonly clientKey?: string
  readonly maxSessions?: number
  readonly extraConfig?: string
  /** sshd's LogLevel (DEBUG1 logs the negotiated algorithms: `kex: algorithm: …`). */
  readonly logLevel?: string
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  needsRoot('a real sshd on 127.0.0.1 that tests log in to as root')
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }) // sshd's privilege separation directory
  const dir = await mkdtemp(join(tmpdir(), 'tend-sshd-'))
  const [ed25519, ecdsa, rsa] = await Promise.all((['ed25519', 'ecdsa', 'rsa'] as const).map((type) => keygen(join(dir, `host_${type}`), type)))
  const clientKey = options.clientKey ?? await keygen(join(dir, 'client'))
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${clientKey}.pub`))
  const port = await freePort()
  await writeFile(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1',
    `HostKey ${ed25519}`, `HostKey ${ecdsa}`, `HostKey ${rsa}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    'UsePAM no', 'StrictModes no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password', 'AllowTcpForwarding yes', 'UseDNS no', `LogLevel ${options.logLevel ?? 'INFO'}`,
    `MaxSessions ${options.maxSessions ?? 10}`, options.extraConfig ?? '', '',
  ].join('\n'))
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let output = ''
  child.stderr?.setEncoding('utf8').on('data', (text: string) => { output += text })
  await waitFor(() => output.includes(`Server listening on 127.0.0.1 port ${port}`), child, () => output)
  const pub = { ed25519: `${ed25519}.pub`, ecdsa: `${ecdsa}.pub`, rsa: `${rsa}.pub` }
  return {
    port, dir, clientKey, hostKeyPubs: pub,
    async knownHostsLine(type) {
      const [keyType, base64] = (await readFile(pub[type], 'utf8')).trim().split(/\s+/)
      return `[127.0.0.1]:${port} ${keyType} ${base64}`
    },
    log: () => output,
    acceptedLogins: () => output.split('\n').filter((line) => line.startsWith('Accepted publickey')).length,
    async stop() {
      await stopChild(child)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

async function waitFor(ready: () => boolean, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!ready()) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`sshd did not start:\n${output()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
