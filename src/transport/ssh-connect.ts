import type { Duplex } from 'node:stream'
import ssh2 from 'ssh2'
import type { Client } from 'ssh2'
import { loadKnownHosts } from './known-hosts.js'
import { CIPHERS, KEX_ALGORITHMS } from './ssh-algorithms.js'
import { describeAuth, planAuth, type AuthPlan } from './ssh-auth.js'
import { shQuote } from './quote.js'
import { classifyConnectError, type ConnectAttempt } from './ssh-errors.js'
import { hostKeyAlgorithms, verifyHostKey, type HostKeyCheck } from './ssh-hostkey.js'
import type { Endpoint } from './ssh-target.js'
import { UnreachableError } from './types.js'

/** Keepalive: a dead peer is noticed within about 45 s even when no command is running. */
const KEEPALIVE_INTERVAL_MS = 15_000
const KEEPALIVE_COUNT_MAX = 3

/**
 * One authenticated, host-key-verified connection to `endpoint`, through its bastions if any.
 * A bastion's connection lives exactly as long as the connection it carries.
 */
export async function connectEndpoint(endpoint: Endpoint, signal?: AbortSignal): Promise<Client> {
  const jump = endpoint.jump ? await connectEndpoint(endpoint.jump, signal) : undefined
  try {
    const sock = jump ? await forwardTo(jump, endpoint) : undefined
    const client = await handshake(endpoint, sock, signal)
    if (jump) client.once('close', () => jump.end())
    return client
  } catch (error) {
    jump?.end()
    throw error
  }
}

function forwardTo(jump: Client, endpoint: Endpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, endpoint.address, endpoint.port, (error, stream) => {
      if (error) reject(classifyConnectError(attemptFor(endpoint, 'not attempted'), error))
      else resolve(stream)
    })
  })
}

function attemptFor(endpoint: Endpoint, auth: string): ConnectAttempt {
  return {
    host: endpoint.host,
    address: endpoint.address,
    port: endpoint.port,
    user: endpoint.user,
    timeoutMs: endpoint.connectTimeoutMs,
    auth,
    role: endpoint.role,
    via: endpoint.jump ? `${endpoint.jump.user}@${endpoint.jump.address}:${endpoint.jump.port}` : undefined,
  }
}

/**
 * A private key readable by group or others is refused before any connection, as OpenSSH refuses
 * it, and never silently replaced by another key: the run reports the host unreachable (auth) with
 * the fix.
 */
function refuseOpenKeys(endpoint: Endpoint, plan: AuthPlan): void {
  const [open, ...more] = plan.tooOpen
  if (open === undefined) return
  const files = [open, ...more]
  throw new UnreachableError(endpoint.host, 'auth',
    `private key ${files.map((f) => `${f.file} (mode ${f.mode})`).join(', ')} is readable by group or others; tend, like OpenSSH, refuses to use it`,
    files.map((f) => `chmod 600 ${shQuote(f.file)}`).join(' && '))
}

async function handshake(endpoint: Endpoint, sock: Duplex | undefined, signal?: AbortSignal): Promise<Client> {
  const check: HostKeyCheck = {
    host: endpoint.host,
    address: endpoint.address,
    port: endpoint.port,
    policy: endpoint.hostKeyPolicy,
    files: endpoint.knownHostsFiles,
    entries: await loadKnownHosts(endpoint.knownHostsFiles),
    role: endpoint.role,
  }
  const plan = planAuth(endpoint.user, endpoint.keyFiles)
  refuseOpenKeys(endpoint, plan)
  const attempt = attemptFor(endpoint, describeAuth(plan))
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client()
    let hostKeyRefusal: UnreachableError | undefined
    let settled = false
    const fail = (error: unknown): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      client.end()
      sock?.destroy()
      reject(hostKeyRefusal ?? classifyConnectError(attempt, error))
    }
    const onAbort = (): void => fail(new UnreachableError(endpoint.host, 'timeout', `connecting to ${endpoint.address} was aborted`, 'the run was cancelled'))
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    client.on('error', fail)
    client.on('close', () => fail(new Error('connection closed during the handshake')))
    client.once('ready', () => {
      settled = true
      signal?.removeEventListener('abort', onAbort)
      resolve(client)
    })
    client.connect({
      host: endpoint.address,
      port: endpoint.port,
      username: endpoint.user,
      sock,
      readyTimeout: endpoint.connectTimeoutMs,
      keepaliveInterval: KEEPALIVE_INTERVAL_MS,
      keepaliveCountMax: KEEPALIVE_COUNT_MAX,
      algorithms: {
        kex: [...KEX_ALGORITHMS], cipher: [...CIPHERS],
        serverHostKey: hostKeyAlgorithms(check) as ssh2.ServerHostKeyAlgorithm[],
      },
      authHandler: [...plan.methods],
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        verifyHostKey(check, key).then((refusal) => {
          hostKeyRefusal = refusal
          verify(refusal === undefined)
        }, (error: unknown) => {
          hostKeyRefusal = classifyConnectError(attempt, error)
          verify(false)
        })
      },
    })
  })
}
