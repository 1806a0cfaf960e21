/**
 * The fleet page as a request handler any node http server can mount: `tend serve` alone, or
 * `tend watch` beside /metrics and /healthz. It answers GET/HEAD for `/`, `/assets/*`, `/api/*` and
 * `/events`, returns false for every other path (the server's own routes or a 404), and never
 * changes anything: the store is only read.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { StateStore } from '../state/store.js'
import * as api from './api.js'
import { LiveFeed } from './feed.js'
import type { LiveProvider } from './live.js'
import { securityHeaders } from '../http/listen.js'
import { sendJson, sendText } from './respond.js'
import { loadStaticFiles, sendStatic } from './static-files.js'

export interface FleetPageOptions {
  readonly store: StateStore
  readonly live?: LiveProvider
  /** Named in the `tend resume` commands the page shows (when not the default state dir). */
  readonly stateDir?: string
  /** Host → groups from an inventory (`tend serve -i`): for search by group, and hosts not seen yet. */
  readonly inventory?: ReadonlyMap<string, readonly string[]>
  /** How often the live feed looks for new rows in the store while a page is open. */
  readonly pollMs?: number
}

export interface FleetPage {
  (req: IncomingMessage, res: ServerResponse): boolean
  /** Ends open event streams and stops polling (call before closing the server). */
  close(): void
}

function isOurs(path: string): boolean {
  return path === '/' || path === '/index.html' || path === '/events' || path.startsWith('/assets/') || path.startsWith('/api/')
}

export function createFleetPage(options: FleetPageOptions): FleetPage {
  const files = loadStaticFiles()
  const feed = new LiveFeed(options.store, options.live, options.pollMs ?? 1000)
  const ctx: api.ApiContext = {
    store: options.store, ...(options.live !== undefined && { live: options.live }),
    ...(options.stateDir !== undefined && { stateDir: options.stateDir }), ...(options.inventory !== undefined && { inventory: options.inventory }),
  }

  const route = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    const path = url.pathname
    const q = (name: string) => url.searchParams.get(name) ?? undefined
    if (path === '/' || path === '/index.html') return sendStatic(req, res, files.get('index.html')!)
    if (path.startsWith('/assets/')) {
      const file = files.get(path.slice('/assets/'.length))
      return file === undefined ? sendText(req, res, 404, 'not found') : sendStatic(req, res, file)
    }
    if (path === '/events') return feed.attach(req, res)
    if (path === '/api/fleet') return sendJson(req, res, api.fleet(ctx))
    if (path === '/api/runs') return sendJson(req, res, api.runs(ctx))
    if (path === '/api/charts') {
      const host = q('host')
      return sendJson(req, res, api.charts(ctx, { hours: Number(q('hours') ?? 24) || 24, ...(host !== undefined && { host }) }))
    }
    if (path === '/api/host') {
      const name = q('name')
      return name === undefined ? sendText(req, res, 400, 'name is required') : sendJson(req, res, api.host(ctx, name))
    }
    if (path === '/api/run') {
      const found = api.run(ctx, q('id') ?? '')
      return found === undefined ? sendText(req, res, 404, 'no such run') : sendJson(req, res, found)
    }
    sendText(req, res, 404, 'not found')
  }

  const page = ((req: IncomingMessage, res: ServerResponse): boolean => {
    const url = new URL(req.url ?? '/', 'http://page.invalid')
    if (!isOurs(url.pathname)) return false
    securityHeaders(res)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      sendText(req, res, 405, 'the fleet page is read-only')
      return true
    }
    try {
      route(req, res, url)
    } catch (error) {
      process.stderr.write(`tend: fleet page: ${req.url}: ${String(error)}\n`)
      if (!res.headersSent) sendText(req, res, 500, 'the state store could not be read (see the server log)')
      else res.end()
    }
    return true
  }) as FleetPage
  page.close = () => feed.close()
  return page
}
