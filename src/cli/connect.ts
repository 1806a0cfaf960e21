/** Builds the engine's `connect`: a transport per inventory host, from its connection variables. */
import type { InventoryHost } from '../playbook/model.js'
import { EndpointPool } from '../transport/shared.js'
import type { Transport } from '../transport/types.js'

export interface ConnectOptions {
  /** --accept-new-host-keys: record unknown host keys instead of refusing them (unless the inventory declares a policy). */
  readonly acceptNewHostKeys: boolean
  readonly signal: AbortSignal
}

export function connectFactory(options: ConnectOptions): (host: InventoryHost) => Promise<Transport> {
  const pool = new EndpointPool()
  return async (host) => {
    const connection = host.connection
    // Transports are imported on first use: local-only runs never load ssh2, ssh-only runs never zx.
    if (connection.kind === 'local') {
      const { LocalTransport } = await import('../transport/local.js')
      return new LocalTransport(host.name)
    }
    const { openSsh } = await import('../transport/ssh.js')
    const endpoint = {
      address: connection.address,
      port: connection.port,
      user: connection.user,
      keyFile: connection.keyFile,
      knownHostsFile: connection.knownHostsFile,
      // A policy written in the inventory is the operator's word for that host: the flag relaxes only the default.
      hostKeyPolicy: options.acceptNewHostKeys && connection.hostKeyPolicyDeclared !== true ? ('accept-new' as const) : connection.hostKeyPolicy,
      hostKeyPolicyDeclared: connection.hostKeyPolicyDeclared,
      proxyJump: connection.proxyJump,
    }
    // Entries naming the same endpoint share one connection (see EndpointPool).
    return pool.view(JSON.stringify(endpoint), host.name, () => openSsh({ host: host.name, ...endpoint }, { signal: options.signal }))
  }
}
