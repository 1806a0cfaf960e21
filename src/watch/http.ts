/**
 * The watch's HTTP listener. Handlers are tried in order; the first that returns true answered.
 * Other pages (the fleet page of `tend serve` at `/`) mount by adding a handler to the list.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>

export interface Listen {
  readonly host: string
  readonly port: number
}

/** `--metrics HOST:PORT`, `PORT` or `:PORT` (loopback), `[::1]:PORT`. */
export function parseListen(text: string): Listen | undefined {
  const match = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(text.trim())
  if (!match) return undefined
  const port = Number(match[2])
  if (port > 65535) return undefined
  const host = (match[1] ?? '').replace(/^\[|\]$/g, '')
  return { host: host === '' ? '127.0.0.1' : host, port }
}

export interface HttpListener {
  readonly server: Server
  /** http://host:port as bound (port 0 resolved). */
  readonly url: string
  close(): Promise<void>
}

export async function listen(where: Listen, handlers: readonly RouteHandler[]): Promise<HttpListener> {
  const server = createServer((req, res) => {
    void (async () => {
      for (const handler of handlers) if (await handler(req, res)) return
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(`internal error: ${error instanceof Error ? error.message : String(error)}\n`)
    })
  })
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
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** A handler for one method and path (query string ignored). */
export function route(method: string, path: string, answer: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): RouteHandler {
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    if (req.method !== method || url.pathname !== path) return false
    await answer(req, res)
    return true
  }
}
