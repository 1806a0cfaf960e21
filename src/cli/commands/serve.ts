/**
 * `tend serve --listen HOST:PORT [--state-dir DIR] [-i INVENTORY]`: the fleet page from the state store alone,
 * read-only (the store is opened read-only; the page has no action that reaches a host).
 * Loopback by default; on loopback, requests naming another Host are refused, so a web page
 * elsewhere cannot read the fleet through DNS rebinding.
 */
import { existsSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { stateDirOf } from '../../state/dir.js'
import { STORE_FILE, StateStore } from '../../state/store.js'
import { createFleetPage } from '../../web/handler.js'
import { parseListen } from '../../watch/http.js'
import { isLoopback, urlOf } from '../../web/listen.js'
import { UsageError } from '../report-error.js'

export interface ServeFlags {
  readonly listen: string
  readonly stateDir?: string
  readonly inventory?: string
}

/** host → its groups (without `all` and `ungrouped`), from an inventory file. */
async function inventoryGroups(file: string): Promise<Map<string, readonly string[]>> {
  const { loadInventory } = await import('../../playbook/load.js')
  const inventory = await loadInventory(file)
  return new Map([...inventory.hosts.values()].map((h) => [h.name, h.groups.filter((g) => g !== 'all' && g !== 'ungrouped')]))
}

export const DEFAULT_LISTEN = '127.0.0.1:8470'

function hostAllowed(req: IncomingMessage, bindHost: string): boolean {
  if (!isLoopback(bindHost)) return true
  const name = String(req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
  return isLoopback(name) || name === bindHost
}

export async function serveCommand(flags: ServeFlags): Promise<number> {
  const address = parseListen(flags.listen)
  if (address === undefined) throw new UsageError(`--listen ${flags.listen}: expected HOST:PORT, [IPv6]:PORT or PORT (e.g. ${DEFAULT_LISTEN})`)
  const inventory = flags.inventory === undefined ? undefined : await inventoryGroups(flags.inventory)
  const dir = stateDirOf(flags.stateDir)
  if (!existsSync(join(dir, STORE_FILE))) {
    throw new UsageError(`no state store in ${dir} (nothing was recorded there yet)\nhint: tend run and tend watch record runs there; pass --state-dir DIR or set TEND_STATE_DIR to read another`)
  }
  const store = StateStore.open(dir, { readonly: true })
  const page = createFleetPage({ store, stateDir: dir, ...(inventory !== undefined && { inventory }) })
  const server = createServer((req, res) => {
    if (!hostAllowed(req, address.host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('this page answers only to a loopback Host\n')
      return
    }
    if (!page(req, res)) res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n')
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(address.port, address.host, () => resolve())
  }).catch((error: NodeJS.ErrnoException) => {
    store.close()
    throw new UsageError(`cannot listen on ${flags.listen}: ${error.code ?? error.message}`)
  })
  const bound = server.address()
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port
  process.stdout.write(`tend serve: ${urlOf({ host: address.host, port })} (read-only; state store ${dir})\n`)
  await new Promise<void>((resolve) => {
    const stop = () => {
      page.close()
      server.close(() => resolve())
      server.closeAllConnections()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  store.close()
  return 0
}
