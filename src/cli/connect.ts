/** Builds the engine's `connect`: one transport per inventory host, from its connection variables. */
import type { InventoryHost } from '../playbook/model.js'
import type { Transport } from '../transport/types.js'

export interface ConnectOptions {
  /** --accept-new-host-keys: record unknown host keys instead of refusing them. */
  readonly acceptNewHostKeys: boolean
  readonly signal: AbortSignal
}

export function connectFactory(options: ConnectOptions): (host: InventoryHost) => Promise<Transport> {
  return async (host) => {
    const connection = host.connection
    // Transports are imported on first use: local-only runs never load ssh2, ssh-only runs never zx.
    if (connection.kind === 'local') {
      const { LocalTransport } = await import('../transport/local.js')
      return new LocalTransport(host.name)
    }
    const { openSsh } = await import('../transport/ssh.js')
    return openSsh(
      {
        host: host.name,
        address: connection.address,
        port: connection.port,
        user: connection.user,
        keyFile: connection.keyFile,
        knownHostsFile: connection.knownHostsFile,
        hostKeyPolicy: options.acceptNewHostKeys ? 'accept-new' : connection.hostKeyPolicy,
        proxyJump: connection.proxyJump,
      },
      { signal: options.signal },
    )
  }
}
