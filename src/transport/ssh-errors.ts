import { UnreachableError, type UnreachableReason } from './types.js'

/** Where a connection attempt was going, for messages a user can act on. */
export interface ConnectAttempt {
  readonly host: string
  readonly address: string
  readonly port: number
  readonly user: string
  readonly timeoutMs: number
  /** What authentication tried, e.g. "tried ssh-agent, /root/.ssh/id_ed25519". */
  readonly auth: string
  readonly role?: 'target' | 'bastion'
  /** Set when the connection goes through a bastion. */
  readonly via?: string
}

/** ssh2 and socket errors → one UnreachableError with a reason and a one-line hint. */
export function classifyConnectError(attempt: ConnectAttempt, error: unknown): UnreachableError {
  if (error instanceof UnreachableError) return error
  const { code, level, message } = describe(error)
  const reason = reasonOf(code, level, message)
  const target = `${attempt.user}@${attempt.address}:${attempt.port}${attempt.via ? ` via ${attempt.via}` : ''}`
  const what = attempt.role === 'bastion' ? `bastion ${target}` : target
  return new UnreachableError(attempt.host, reason, `cannot connect to ${what}: ${message}`, hintFor(reason, attempt))
}

function describe(error: unknown): { code?: string; level?: string; message: string } {
  if (typeof error !== 'object' || error === null) return { message: String(error) }
  const { code, level, message } = error as { code?: unknown; level?: unknown; message?: unknown }
  return {
    code: typeof code === 'string' ? code : undefined,
    level: typeof level === 'string' ? level : undefined,
    message: typeof message === 'string' ? message : String(error),
  }
}

function reasonOf(code: string | undefined, level: string | undefined, message: string): UnreachableReason {
  if (code === 'ECONNREFUSED') return 'refused'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || level === 'client-dns') return 'dns'
  if (code === 'ETIMEDOUT' || level === 'client-timeout') return 'timeout'
  if (level === 'client-authentication' || /authentication methods failed/i.test(message)) return 'auth'
  if (code === 'ECONNRESET' || code === 'EPIPE' || /connection (lost|closed)|socket (ended|closed)/i.test(message)) return 'closed'
  if (/Channel open failure/i.test(message)) return 'refused'
  return 'other'
}

function hintFor(reason: UnreachableReason, attempt: ConnectAttempt): string {
  switch (reason) {
    case 'refused':
      return `nothing accepts SSH on ${attempt.address}:${attempt.port}: is sshd running there, and is the port (ansible_port / Port) right?`
    case 'timeout':
      return `no SSH handshake within ${attempt.timeoutMs / 1000} s: the host may be down or a firewall drops packets; raise ConnectTimeout if it is just slow`
    case 'dns':
      return `cannot resolve ${attempt.address}: check ansible_host or HostName in ~/.ssh/config`
    case 'auth':
      return `the server refused every key (${attempt.auth}): add the public key to ~${attempt.user}/.ssh/authorized_keys, or set ansible_ssh_private_key_file / IdentityFile, and check ansible_user`
    case 'closed':
      return 'the connection was closed: the host may have rebooted, sshd restarted, or MaxStartups was hit; retry'
    case 'host-key':
      return 'the host key could not be verified'
    case 'other':
      return `see the message; \`ssh -v -p ${attempt.port} ${attempt.user}@${attempt.address}\` shows the same handshake`
  }
}

export function connectionClosed(host: string, detail: string): UnreachableError {
  return new UnreachableError(host, 'closed', `connection to ${host} dropped: ${detail}`,
    'the host may have rebooted, sshd restarted, or the network broke; tasks after this point did not run')
}
