/** Shared by the file, template and http tests: the engine's module context and converge, locally or over ssh. */
import { LocalTransport } from '../../src/transport/local.js'
import { openSsh } from '../../src/transport/ssh.js'
import type { TestHost } from '../support/testbed.js'
import type { Transport } from '../../src/transport/types.js'
import type { ModuleContext } from '../../src/modules/types.js'
import { contextFor, type ContextOptions } from './context.js'
import { converge } from './systemd-harness.js'

export { contextFor }

export const localContext = (options?: ContextOptions) => contextFor(new LocalTransport(), options)

/** One task through the engine's converge (probe → diff → apply → verify by observing again). */
export async function convergeOnce(kind: string, ctx: ModuleContext, spec: unknown) {
  const result = await converge(kind, ctx, spec)
  if (result.status === 'failed') throw new Error(result.failure)
  return { changes: result.changes, summaries: result.changes, status: result.status }
}

/** An ssh connection to a leased test host as `user`, seeing only the testbed's keys and known_hosts. */
export async function sshTo(host: TestHost, user = 'root'): Promise<Transport> {
  delete process.env['SSH_AUTH_SOCK']
  process.env['TEND_SSH_CONFIG'] = '/nonexistent/tend-test-ssh-config'
  return openSsh({
    host: host.name, address: host.address, port: host.port, user,
    keyFile: host.keyFile, knownHostsFile: host.knownHostsFile, hostKeyPolicy: 'strict',
  })
}
