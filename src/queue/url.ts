/** `--queue redis://[user:pass@]HOST:PORT[/DB]` (rediss:// for TLS) → connection options, and a printable form. */
import { isIP } from 'node:net'
import { QueueUrlError } from './errors.js'

export interface RedisEndpoint {
  readonly host: string
  readonly port: number
  readonly db: number
  readonly username?: string
  readonly password?: string
  readonly tls: boolean
  /** The URL without its password: the only form tend ever prints. */
  readonly display: string
}

export function parseQueueUrl(text: string): RedisEndpoint {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    // Not echoed: text that does not parse may hold a password where redactUrl cannot find it.
    throw new QueueUrlError('--queue: not a URL (expected redis://[user:pass@]HOST:PORT[/DB] or rediss://…)')
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new QueueUrlError(`--queue: scheme ${url.protocol} is not redis: or rediss: (TLS)`)
  }
  const dbText = url.pathname.replace(/^\//, '')
  const db = dbText === '' ? 0 : Number(dbText)
  if (!Number.isInteger(db) || db < 0) throw new QueueUrlError(`--queue: database ${JSON.stringify(dbText)} is not a number`)
  const port = url.port === '' ? 6379 : Number(url.port)
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (host === '') throw new QueueUrlError('--queue: the URL names no host')
  return {
    host, port, db, tls: url.protocol === 'rediss:',
    ...(url.username !== '' && { username: decodeURIComponent(url.username) }),
    ...(url.password !== '' && { password: decodeURIComponent(url.password) }),
    display: redactUrl(text),
  }
}

/**
 * The URL with any password replaced by `***` (also for text that does not parse). A password may
 * hold `/`, `@` or `:`: everything up to the last `@` before the host is the userinfo.
 */
export function redactUrl(text: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(text)
  if (scheme === null) return text
  const rest = scheme[2]!
  const at = rest.lastIndexOf('@')
  if (at < 0) return text
  const userinfo = rest.slice(0, at)
  const colon = userinfo.indexOf(':')
  return colon < 0 ? text : `${scheme[1]}${userinfo.slice(0, colon)}:***${rest.slice(at)}`
}

/** ioredis options for BullMQ: commands wait through a reconnect (BullMQ requires it for workers). */
export function connectionOptions(endpoint: RedisEndpoint) {
  return {
    host: endpoint.host,
    port: endpoint.port,
    db: endpoint.db,
    ...(endpoint.username !== undefined && { username: endpoint.username }),
    ...(endpoint.password !== undefined && { password: endpoint.password }),
    // rediss://: Node's TLS with its CA store (NODE_EXTRA_CA_CERTS adds a private CA); SNI only for names.
    ...(endpoint.tls && { tls: isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {} }),
    maxRetriesPerRequest: null,
    // Back off up to 2 s between reconnects; the controller decides when Redis is "gone" (liveness.ts).
    retryStrategy: (times: number) => Math.min(times * 200, 2000),
  }
}
