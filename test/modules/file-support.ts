/** Shared by the file, template and http tests: a real module context and one converge pass. */
import { LocalTransport } from '../../src/transport/local.js'
import type { Transport } from '../../src/transport/types.js'
import type { Change, Module, ModuleContext } from '../../src/modules/types.js'
import type { Vars } from '../../src/playbook/model.js'

export function contextFor(transport: Transport, extra: { vars?: Vars; playbookDir?: string } = {}): ModuleContext {
  const signal = new AbortController().signal
  return {
    host: transport.host,
    transport,
    run: (argv, options) => transport.exec(argv, { signal, ...options }),
    signal,
    deadline: Date.now() + 30_000,
    runStartedAt: new Date(),
    vars: extra.vars ?? {},
    playbookDir: extra.playbookDir ?? process.cwd(),
  }
}

export const localContext = (extra?: { vars?: Vars; playbookDir?: string }) => contextFor(new LocalTransport(), extra)

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
