import { request } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Transport } from '../../transport/types.js'
import { UnreachableError } from '../../transport/types.js'

/** One route's answer: a status code, or why there was none. */
export type RouteAnswer =
  | { readonly route: string; readonly outcome: 'status'; readonly status: number }
  | { readonly route: string; readonly outcome: 'error'; readonly error: string }

export interface Target {
  readonly address: string
  readonly port: number
  /** Host header value (name[:port]) and the path prefix from the URL. */
  readonly hostHeader: string
  readonly pathPrefix: string
}

/** http://host[:port][/prefix] → where to connect and what to send. */
export function targetOf(url: string): Target {
  const parsed = new URL(url)
  return {
    address: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? 80 : Number(parsed.port),
    hostHeader: parsed.host,
    pathPrefix: parsed.pathname.replace(/\/+$/, ''),
  }
}

/**
 * node's http client expects a net.Socket; a tunnelled stream (an ssh2 channel) lacks the socket
 * tuning methods, which mean nothing for it, so they become no-ops (as ssh2's own HTTP agent does).
 */
function socketLike(stream: Duplex): Duplex {
  const methods = ['setKeepAlive', 'setNoDelay', 'setTimeout', 'ref', 'unref'] as const
  const target = stream as unknown as Record<string, unknown>
  for (const name of methods) if (typeof target[name] !== 'function') target[name] = () => stream
  if (typeof target.destroySoon !== 'function') target.destroySoon = () => stream.destroy()
  return stream
}

function describeError(error: unknown, timeoutSeconds: number, timedOut: boolean): string {
  if (timedOut) return `no answer within ${timeoutSeconds}s`
  const text = error instanceof Error ? error.message : String(error)
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ECONNREFUSED' || /refused/i.test(text)) return 'connection refused'
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'connection reset before an answer'
  return text
}

/** Rejects when the signal aborts, even if the transport ignores it; a late stream is closed. */
function unlessAborted(opening: Promise<Duplex>, signal: AbortSignal): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    opening.then(
      (stream) => (signal.aborted ? stream.destroy() : resolve(stream)),
      (error: unknown) => reject(error),
    ).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

function getStatus(stream: Duplex, target: Target, path: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      createConnection: () => socketLike(stream) as never,
      method: 'GET',
      path,
      headers: { Host: target.hostHeader, Connection: 'close', 'User-Agent': 'tend' },
      signal,
    })
    // The status line is the answer. The body is read to its end anyway (bounded by the
    // timeout): hanging up early makes the app log broken pipes.
    req.once('response', (res) => {
      res.resume()
      res.once('end', () => resolve(res.statusCode ?? 0))
      res.once('error', reject)
    })
    req.once('error', reject)
    req.end()
  })
}

/**
 * GET one route over a TCP stream the transport opens from the host's own network view.
 * `timeoutSeconds` bounds connect + answer. Only an unreachable host throws.
 */
export async function askRoute(transport: Transport, target: Target, route: string, timeoutSeconds: number, outer: AbortSignal): Promise<RouteAnswer> {
  const timer = AbortSignal.timeout(timeoutSeconds * 1000)
  const signal = AbortSignal.any([outer, timer])
  let stream: Duplex | undefined
  try {
    stream = await unlessAborted(transport.openTcp(target.address, target.port, signal), signal)
    const status = await getStatus(stream, target, target.pathPrefix + route, signal)
    return { route, outcome: 'status', status }
  } catch (error) {
    if (error instanceof UnreachableError) throw error
    if (outer.aborted) throw error
    return { route, outcome: 'error', error: describeError(error, timeoutSeconds, timer.aborted) }
  } finally {
    stream?.destroy()
  }
}
