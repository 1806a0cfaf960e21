import type { AnyModule } from '../modules/types.js'

/**
 * A module's probe whose first observation was taken ahead: the first call returns it (or, if it
 * failed, probes again); later calls (an `again`, a poll) probe the host.
 */
export function withFirstObservation(module: AnyModule, observed: Promise<unknown>): AnyModule {
  let first: Promise<unknown> | undefined = observed
  return {
    ...module,
    probe(ctx, spec, previous) {
      const taken = first
      first = undefined
      return taken === undefined ? module.probe(ctx, spec, previous) : taken.catch(() => module.probe(ctx, spec, previous))
    },
  }
}
