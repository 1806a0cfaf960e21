/**
 * The one HTTP listener tend opens (`tend serve`, `tend watch --metrics`, `tend worker --metrics`).
 * Every response carries the security headers. On a loopback address, a request naming another
 * `Host` is refused with 421: a web page elsewhere cannot read the fleet or the metrics through DNS
 * rebinding (its requests name the attacker's host, which resolves to 127.0.0.1).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { isIP, type AddressInfo } from 'node:net'

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>

export interface Listen {
  readonly host: string
  readonly port: number
}

/** `HOST:PORT`, `PORT` or `:PORT` (loopback), `[::1]:PORT`. */
export function parseListen(text: string): Listen | undefined {
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(text.trim())
  if (!match) return undefined
  const port = Number(match[2])
  if (port > 65535) return undefined
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '')
  return { host: host === '' ? '127.0.0.1' : host, port }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))
}

/** A URL for people to open (IPv6 in brackets). */
export function urlOf(address: Listen): string {
  return `http://${isIP(address.host) === 6 ? `[${address.host}]` : address.host}:${address.port}/`
}

/**
 * No inline script or style, no eval, nothing from another origin, no framing; Trusted Types
 * make any `innerHTML = string` throw, so host data can only ever become text nodes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "font-src 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  "require-trusted-types-for 'script'", "trusted-types 'none'",
].join('; ')

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}

/** On a loopback bind, only a loopback name (or the bound address itself) may be the Host. */
export function hostAllowed(req: IncomingMessage, bindHost: string): boolean {
  if (!isLoopback(bindHost)) return true
  const name = String(req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
  return isLoopback(name) || name === bindHost
}

export interface HttpListener {
  readonly server: Server
  /** http://host:port as bound (port 0 resolved). */
  readonly url: string
  close(): Promise<void>
}

function answer(req: IncomingMessage, res: ServerResponse, bindHost: string, handlers: readonly RouteHandler[]): void {
  securityHeaders(res)
  if (!hostAllowed(req, bindHost)) {
    res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('this listener answers only to a loopback Host\n')
    return
  }
  void (async () => {
    for (const handler of handlers) if (await handler(req, res)) return
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n')
  })().catch((error: unknown) => {
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
    res.end(`internal error: ${error instanceof Error ? error.message : String(error)}\n`)
  })
}

/** Listens on `where`; handlers are tried in order, the first that returns true answered. */
export async function listen(where: Listen, handlers: readonly RouteHandler[]): Promise<HttpListener> {
  const server = createServer((req, res) => answer(req, res, where.host, handlers))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(where.port, where.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    server,
    url: `http://${host}:${address.port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}

/** A handler for one method and path (query string ignored). */
export function route(method: string, path: string, respond: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): RouteHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (req.method !== method || url.pathname !== path) return false
    await respond(req, res)
    return true
  }
}
