import {
  appendKnownHost,
  checkHostKey,
  fingerprint,
  keyLabel,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  type KnownHostEntry,
} from './known-hosts.js'
import { shQuote } from './quote.js'
import { UnreachableError } from './types.js'

export type HostKeyPolicy = 'strict' | 'accept-new'

export interface HostKeyCheck {
  readonly host: string
  readonly address: string
  readonly port: number
  readonly policy: HostKeyPolicy
  /** Files searched, in order; accept-new appends to the first. */
  readonly files: readonly string[]
  readonly entries: readonly KnownHostEntry[]
  readonly role: 'target' | 'bastion'
}

const ALGORITHMS_BY_KEY_TYPE: Readonly<Record<string, readonly string[]>> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
}
const DEFAULT_ORDER = Object.values(ALGORITHMS_BY_KEY_TYPE).flat()

/**
 * Host key algorithms with the types already recorded for this host first, so a server with several
 * keys presents the one known_hosts can vouch for (OpenSSH orders its proposal the same way).
 */
export function hostKeyAlgorithms(check: HostKeyCheck): string[] {
  const known = knownKeyTypes(check.entries, knownHostsName(check.address, check.port))
  const preferred = known.flatMap((type) => ALGORITHMS_BY_KEY_TYPE[type] ?? [])
  return [...new Set([...preferred, ...DEFAULT_ORDER])]
}

/** undefined when the key may be trusted (possibly after recording it); else the refusal. */
export async function verifyHostKey(check: HostKeyCheck, key: Buffer): Promise<UnreachableError | undefined> {
  const name = knownHostsName(check.address, check.port)
  const who = check.role === 'bastion' ? `bastion ${name}` : name
  const verdict = checkHostKey(check.entries, name, key)
  const presented = `${keyLabel(keyTypeOf(key))} key ${fingerprint(key)}`
  switch (verdict.kind) {
    case 'known':
      return undefined
    case 'revoked':
      return refuse(check, `${who} presented ${presented}, which ${where(verdict.entry)} marks @revoked`,
        'a revoked key is never accepted; install a new host key on the server and record it')
    case 'changed':
      return refuse(check,
        `HOST KEY CHANGED for ${who}: it presented ${presented}, but ${where(verdict.entry)} records a different ${keyLabel(verdict.entry.keyType)} key (someone may be intercepting the connection, or the host was reinstalled)`,
        `if the change is expected, verify the new fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then: ssh-keygen -R ${shQuote(name)} -f ${shQuote(verdict.entry.file)} and reconnect`)
    case 'unknown':
      return check.policy === 'accept-new' ? record(check, name, key) : refuse(check,
        `${who} presented ${presented}, which is not in ${check.files.join(' or ') || 'any known_hosts file'}`,
        `verify ${fingerprint(key)} on the host (ssh-keygen -lf /etc/ssh/ssh_host_*_key.pub), then: ${keyscanCommand(check, key)}; or use host key policy accept-new`)
  }
}

async function record(check: HostKeyCheck, name: string, key: Buffer): Promise<UnreachableError | undefined> {
  const file = check.files[0]
  if (file === undefined) return refuse(check, `no known_hosts file to record ${name} in`, 'set knownHostsFile or UserKnownHostsFile')
  try {
    await appendKnownHost(file, name, key)
    return undefined
  } catch (error) {
    return refuse(check, `cannot record the host key of ${name} in ${file}: ${(error as Error).message}`, 'make the file writable')
  }
}

function keyscanCommand(check: HostKeyCheck, key: Buffer): string {
  const type = keyTypeOf(key).startsWith('ecdsa-') ? 'ecdsa' : keyTypeOf(key).replace(/^ssh-/, '')
  const file = check.files[0] ?? '~/.ssh/known_hosts'
  return `ssh-keyscan -p ${check.port} -t ${type} ${shQuote(check.address)} >> ${shQuote(file)}`
}

function where(entry: KnownHostEntry): string {
  return `${entry.file}:${entry.line}`
}

function refuse(check: HostKeyCheck, message: string, hint: string): UnreachableError {
  return new UnreachableError(check.host, 'host-key', message, hint)
}
