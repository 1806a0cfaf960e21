import { timeoutSignal } from '../../transport/timeout-signal.js'
import { request } from 'node:http'
import type { Duplex } from 'node:stream'
import { UnreachableError } from '../../transport/types.js'
import type { ModuleContext } from '../types.js'

/** What a request needs of the task's context: streams from the host's own view, and its signal. */
export type Reach = Pick<ModuleContext, 'openTcp' | 'signal'>

/** One response of a route's redirect chain: where it was asked and what it said. */
export interface Hop {
  /** The path on the route's own host, or the whole URL on another. */
  readonly at: string
  readonly status: number
  readonly location?: string
}

/**
 * One route's answer: the final status and body (after the redirects followed), or why there was
 * none. `hops` is the whole chain, the final response included; `stopped` says why a redirect was
 * not followed. The body is host data: compared, shown truncated, never rendered.
 */
export type RouteAnswer =
  | {
    readonly route: string; readonly outcome: 'status'; readonly status: number; readonly body: string
    readonly hops: readonly Hop[]; readonly stopped?: string
  }
  | { readonly route: string; readonly outcome: 'error'; readonly error: string; readonly hops: readonly Hop[] }

/** A single response, before redirects are considered. */
interface Response {
  readonly status: number
  readonly location: string | undefined
  readonly body: string
}

/** Bytes of a body kept for `contains`/`matches`; the rest is read and dropped. */
const BODY_LIMIT = 1024 * 1024

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

function getResponse(stream: Duplex, target: Target, path: string, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request({
      createConnection: () => socketLike(stream) as never,
      method: 'GET',
      path,
      headers: { Host: target.hostHeader, Connection: 'close', 'User-Agent': 'tend' },
      signal,
    })
    // The body is read to its end (bounded by the timeout; hanging up early makes the app log
    // broken pipes), keeping its first BODY_LIMIT bytes for the body checks.
    req.once('response', (res) => {
      const chunks: Buffer[] = []
      let kept = 0
      res.on('data', (chunk: Buffer) => {
        if (kept >= BODY_LIMIT) return
        chunks.push(chunk.subarray(0, BODY_LIMIT - kept))
        kept += Math.min(chunk.length, BODY_LIMIT - kept)
      })
      const location = res.headers.location
      res.once('end', () => resolve({ status: res.statusCode ?? 0, location, body: Buffer.concat(chunks).toString('utf8') }))
      res.once('error', reject)
    })
    req.once('error', reject)
    req.end()
  })
}

/** GET one path over a TCP stream the context opens from the host's own network view. */
async function ask(reach: Reach, target: Target, path: string, signal: AbortSignal): Promise<Response> {
  let stream: Duplex | undefined
  try {
    stream = await unlessAborted(reach.openTcp(target.address, target.port, signal), signal)
    return await getResponse(stream, target, path, signal)
  } finally {
    stream?.destroy()
  }
}

export type FollowRedirects = 'none' | 'safe' | 'all'

/** Redirects followed at most, as curl's and requests' own bounds do. */
export const MAX_REDIRECTS = 10
const REDIRECTS = [301, 302, 303, 307, 308]

/**
 * Where a redirect leads, or why it is not followed. `safe` (Ansible uri's default) follows a GET
 * only within the route's own host and port; `all` follows any http URL. tend speaks http only.
 */
function nextHop(from: URL, location: string | undefined, origin: URL, follow: FollowRedirects): URL | string {
  if (location === undefined) return 'no Location header'
  let next: URL
  try {
    next = new URL(location, from)
  } catch {
    return `invalid Location ${JSON.stringify(location.slice(0, 100))}`
  }
  if (next.protocol !== 'http:') return `not followed: ${next.protocol} (tend speaks http only)`
  if (follow === 'safe' && next.host !== origin.host) return 'not followed: another host (follow_redirects: all would)'
  return next
}

/**
 * GET one route, following redirects per `follow`. `timeoutSeconds` (the spec's `timeout`) bounds
 * each request (connect + answer); the task's deadline comes with the context. Only an unreachable
 * host, or the task's signal, throws.
 */
export async function askRoute(
  reach: Reach, target: Target, route: string, timeoutSeconds: number, follow: FollowRedirects = 'safe',
): Promise<RouteAnswer> {
  const outer = reach.signal
  const origin = new URL(`http://${target.hostHeader}${target.pathPrefix}${route}`)
  const hops: Hop[] = []
  let url = origin
  // The first request sends the route as written; URL would normalise it (dot segments, escapes).
  let path = target.pathPrefix + route
  let hopTarget = target
  let timer = timeoutSignal(timeoutSeconds * 1000)
  try {
    for (;;) {
      timer.clear()
      timer = timeoutSignal(timeoutSeconds * 1000)
      const signal = AbortSignal.any([outer, timer.signal])
      const response = await ask(reach, hopTarget, path, signal)
      const at = url.host === origin.host ? path : url.href
      hops.push({ at, status: response.status, ...(response.location === undefined ? {} : { location: response.location }) })
      const done = { route, outcome: 'status' as const, status: response.status, body: response.body, hops }
      if (!REDIRECTS.includes(response.status)) return done
      if (follow === 'none') return { ...done, stopped: 'not followed: follow_redirects is none' }
      const next = nextHop(url, response.location, origin, follow)
      if (typeof next === 'string') return { ...done, stopped: next }
      if (hops.length > MAX_REDIRECTS) return { route, outcome: 'error', error: `more than ${MAX_REDIRECTS} redirects`, hops }
      url = next
      path = url.pathname + url.search
      hopTarget = url.host === origin.host ? target : { ...targetOf(url.origin), pathPrefix: '' }
    }
  } catch (error) {
    if (error instanceof UnreachableError) throw error
    if (outer.aborted) throw error
    return { route, outcome: 'error', error: describeError(error, timeoutSeconds, timer.aborted), hops }
  } finally {
    timer.clear()
  }
}
