import type { Duplex } from 'node:stream'
import type { ExecOptions, ExecResult, Held, Transport } from './types.js'
import { UnreachableError } from './types.js'

/**
 * One real connection per endpoint (address, port, user, key…), shared by every inventory entry
 * that names it, as OpenSSH's ControlMaster shares one per host: many entries for one machine
 * (template units, many ports) cost one handshake, not one each. Each entry gets a view that
 * carries its own name; the connection closes when the last view does.
 */
export class EndpointPool {
  private readonly endpoints = new Map<string, { readonly transport: Promise<Transport>; views: number }>()

  async view(endpointKey: string, host: string, open: () => Promise<Transport>): Promise<Transport> {
    let endpoint = this.endpoints.get(endpointKey)
    if (endpoint === undefined) this.endpoints.set(endpointKey, (endpoint = { transport: open(), views: 0 }))
    endpoint.views += 1
    const shared = await endpoint.transport.catch((error: unknown) => {
      throw asHost(error, host)
    })
    const entry = endpoint
    return new SharedView(host, shared, async () => {
      entry.views -= 1
      if (entry.views > 0) return
      this.endpoints.delete(endpointKey)
      await shared.close()
    })
  }
}

/** An UnreachableError of the shared connection, told about this entry. */
function asHost(error: unknown, host: string): unknown {
  if (!(error instanceof UnreachableError) || error.host === host) return error
  return new UnreachableError(host, error.reason, error.message.replaceAll(error.host, host), error.hint)
}

class SharedView implements Transport {
  private closed = false

  constructor(readonly host: string, private readonly shared: Transport, private readonly release: () => Promise<void>) {}

  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    return this.shared.exec(argv, options).catch((error: unknown) => {
      throw asHost(error, this.host)
    })
  }

  openTcp(address: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    return this.shared.openTcp(address, port, signal)
  }

  hold(argv: readonly string[], signal?: AbortSignal): Promise<Held> {
    return this.shared.hold(argv, signal)
  }

  get machine(): string {
    return this.shared.machine
  }

  async warm(): Promise<void> {
    await this.shared.warm?.()
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.release()
  }
}
