/** Shared by the file, template and http tests: a real module context and one converge pass. */
import { LocalTransport } from '../../src/transport/local.js'
import { openSsh } from '../../src/transport/ssh.js'
import type { TestHost } from '../support/testbed.js'
import type { Transport } from '../../src/transport/types.js'
import type { Change, Module, ModuleContext } from '../../src/modules/types.js'
import type { Vars } from '../../src/playbook/model.js'

export interface ContextExtra {
  readonly vars?: Vars
  readonly playbookDir?: string
  /** Run every command through `sudo -n -u USER`, as a task with `become` does. */
  readonly become?: string
}

export function contextFor(transport: Transport, extra: ContextExtra = {}): ModuleContext {
  const signal = new AbortController().signal
  const become = extra.become === undefined ? undefined : { user: extra.become }
  const deadline = Date.now() + 30_000
  return {
    host: transport.host,
    run: (argv, options) => transport.exec(argv, { signal, become, ...options }),
    openTcp: (address, port, own) => transport.openTcp(address, port, own ?? signal),
    signal,
    remainingMs: () => Math.max(0, deadline - Date.now()),
    runStartedAt: new Date(),
    vars: extra.vars ?? {},
    playbookDir: extra.playbookDir ?? process.cwd(),
  }
}

export const localContext = (extra?: ContextExtra) => contextFor(new LocalTransport(), extra)

/** probe → diff → apply every change → probe → diff: returns what was applied and what is left. */
export async function convergeOnce<S, O, C extends Change>(module: Module<S, O, C>, ctx: ModuleContext, spec: S) {
  const changes = module.diff(spec, await module.probe(ctx, spec))
  for (const change of changes) {
    const result = await module.apply?.(ctx, change, spec)
    if (result && result.failed !== undefined) throw new Error(result.failed)
  }
  const left = module.diff(spec, await module.probe(ctx, spec))
  return { changes, summaries: changes.map((c) => c.summary), left: left.map((c) => c.summary) }
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
