/**
 * The connection cache: each host's transport, opened on first use and kept until dropped or
 * closed. A run closes it at its end; the watch and the worker keep it from one cycle or job to
 * the next (a cycle costs its commands, not a handshake). A failed connect is not kept: the next
 * session tries again (a session remembers its own failure, engine/session.ts). Entries naming one
 * SSH endpoint share a connection (the connect factory's pool); after a drop, reconnects go
 * through a fresh pool, so no host is handed the dead shared connection again.
 */
import type { InventoryHost } from '../playbook/model.js'
import type { Transport } from '../transport/types.js'

/** Makes a connect function with a pool of its own (one per generation of the cache). */
export type ConnectFactory = () => (host: InventoryHost) => Promise<Transport>

export class ConnectionCache {
  private readonly open = new Map<string, Promise<Transport>>()
  /** Which pool each host's connection came from. */
  private readonly generationOf = new Map<string, number>()
  private generation = 0
  private connect: (host: InventoryHost) => Promise<Transport>

  constructor(private readonly factory: ConnectFactory) {
    this.connect = factory()
  }

  /** The host's open transport, or a new one (rejects with the connect error: UnreachableError). */
  get(host: InventoryHost): Promise<Transport> {
    let transport = this.open.get(host.name)
    if (transport === undefined) {
      transport = this.connect(host)
      this.open.set(host.name, transport)
      this.generationOf.set(host.name, this.generation)
      const mine = transport
      transport.catch(() => {
        if (this.open.get(host.name) === mine) this.open.delete(host.name)
      })
    }
    return transport
  }

  /** Whether the host has a connection from an earlier session (worth retrying once if it failed). */
  isOpen(host: string): boolean {
    return this.open.has(host)
  }

  /** Closes the host's connection after a drop; its next get() reconnects. */
  async drop(host: string): Promise<void> {
    const transport = this.open.get(host)
    this.open.delete(host)
    // A fresh pool once per drop of a shared connection: the first entry to notice it gets one,
    // the others of that endpoint reconnect through it instead of each opening their own.
    if (this.generationOf.get(host) === this.generation) {
      this.generation += 1
      this.connect = this.factory()
    }
    await transport?.then((t) => t.close(), () => undefined)
  }

  /** Closes connections of hosts no longer in the inventory (after a reload). */
  async keepOnly(hosts: ReadonlySet<string>): Promise<void> {
    await Promise.all([...this.open.keys()].filter((h) => !hosts.has(h)).map(async (h) => {
      const transport = this.open.get(h)
      this.open.delete(h)
      this.generationOf.delete(h)
      await transport?.then((t) => t.close(), () => undefined)
    }))
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()]
    this.open.clear()
    await Promise.allSettled(all.map((t) => t.then((x) => x.close())))
  }
}
