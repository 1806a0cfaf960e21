/**
 * Warm connections: each host's transport stays open from one cycle to the next (a cycle costs
 * its commands, not a handshake). A connection found dropped is closed and opened again; the
 * caller backs off between failed attempts. Entries naming one SSH endpoint share a connection
 * (connectFactory's pool); after a drop, reconnects go through a fresh pool so no host is handed
 * the dead shared connection again.
 */
import type { InventoryHost } from '../playbook/model.js'
import type { Transport } from '../transport/types.js'

export type ConnectFactory = () => (host: InventoryHost) => Promise<Transport>

export class WarmConnections {
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

  /** Whether the host has a connection from an earlier cycle (worth retrying once if it failed). */
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
