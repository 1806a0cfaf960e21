/**
 * `tend serve --listen HOST:PORT [--state-dir DIR] [-i INVENTORY]`: the fleet page from the state store alone,
 * read-only (the store is opened read-only; the page has no action that reaches a host).
 * Loopback by default; on loopback, requests naming another Host are refused, so a web page
 * elsewhere cannot read the fleet through DNS rebinding.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { stateDirOf } from '../../state/dir.js'
import { STORE_FILE, StateStore } from '../../state/store.js'
import { createFleetPage } from '../../web/handler.js'
import { listen, parseListen, urlOf, type HttpListener } from '../../http/listen.js'
import { ExitCode } from '../../exit-codes.js'
import type { ServeFlags } from '../flags.js'
import { DEFAULT_LISTEN } from '../options.js'
import { UsageError } from '../report-error.js'
import { untilStopSignal } from '../signals.js'


/** host → its groups (without `all` and `ungrouped`), from an inventory file. */
async function inventoryGroups(file: string): Promise<Map<string, readonly string[]>> {
  const { loadInventory } = await import('../../playbook/load.js')
  const inventory = await loadInventory(file)
  return new Map([...inventory.hosts.values()].map((h) => [h.name, h.groups.filter((g) => g !== 'all' && g !== 'ungrouped')]))
}


export async function serveCommand(flags: ServeFlags): Promise<number> {
  const address = parseListen(flags.listen)
  if (address === undefined) throw new UsageError(`--listen ${flags.listen}: expected HOST:PORT, [IPv6]:PORT or PORT (e.g. ${DEFAULT_LISTEN})`)
  const inventory = flags.inventory === undefined ? undefined : await inventoryGroups(flags.inventory)
  const dir = stateDirOf(flags.stateDir)
  // No store yet: an empty one, so the page shows an empty fleet (saying how to fill it) and
  // follows the store live once a watch or a run starts writing there.
  const created = !existsSync(join(dir, STORE_FILE))
  if (created) StateStore.open(dir).close()
  const store = StateStore.open(dir, { readonly: true })
  const page = createFleetPage({ store, stateDir: dir, ...(inventory !== undefined && { inventory }) })
  const server: HttpListener = await listen(address, [page]).catch((error: NodeJS.ErrnoException) => {
    store.close()
    throw new UsageError(`cannot listen on ${flags.listen}: ${error.code ?? error.message}`)
  })
  const bound = server.server.address()
  const port = typeof bound === 'object' && bound !== null ? bound.port : address.port
  process.stdout.write(`tend serve: ${urlOf({ host: address.host, port })} (read-only; state store ${dir})\n`)
  if (created) process.stdout.write(`tend serve: nothing recorded in ${dir} yet: tend watch and tend run record there (--state-dir ${dir})\n`)
  // Nothing is in hand on a read-only page: a second signal exits at once.
  await untilStopSignal(() => process.exit(ExitCode.interrupted))
  page.close()
  await server.close()
  store.close()
  return 0
}
