import type { FromSchema } from 'json-schema-to-ts'
import { readUnit, showArgv, unitNotFound, type UnitState } from './systemd/unit-state.js'
import type { Module, ModuleContext } from './types.js'

const stableSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['unit'],
  properties: {
    unit: { type: 'string', minLength: 1, description: 'The systemd unit that must stay up.' },
    seconds: {
      type: 'number',
      minimum: 0,
      maximum: 3600,
      default: 20,
      description: 'Active this long with NRestarts and MainPID unchanged. A unit already active longer passes at once.',
    },
  },
} as const

export type StableSpec = FromSchema<typeof stableSchema, { keepDefaultedPropertiesOptional: true }>

/**
 * What watching the unit showed: `stable`, or why not, in words. While the window is still being
 * watched, `watch` holds what later samples are compared with and when to look again; its
 * `detail` is the verdict should the deadline come first.
 */
export interface StableObservation {
  readonly unit: string
  readonly stable: boolean
  readonly detail: string
  readonly watch?: Watch
}

interface Watch {
  readonly first: UnitState
  /** How long the unit had been active at the first sample, by the host's clock. */
  readonly activeFor: number
  readonly windowMs: number
  readonly start: number
  readonly until: number
  /** When the engine is to sample again. */
  readonly againInMs: number
}

const SAMPLE_MS = 500

/**
 * Why `last` is not the same running instance as `first`, or undefined. NRestarts (systemd ≥ 235)
 * sees a restart loop that one ActiveState sample cannot (testbed gotcha 3); older systemd lacks
 * it, so there the instance is told by ActiveEnterTimestampMonotonic, which every restart renews.
 */
export function restartBetween(first: UnitState, last: UnitState): string | undefined {
  if (last.activeState !== 'active') return `${last.id} is ${last.activeState}/${last.subState}`
  if (first.nRestarts !== undefined && last.nRestarts !== first.nRestarts) {
    return `${last.id} restarted (NRestarts ${first.nRestarts} → ${last.nRestarts}, MainPID ${first.mainPid} → ${last.mainPid})`
  }
  if (last.mainPid !== first.mainPid) return `${last.id} changed MainPID ${first.mainPid} → ${last.mainPid}`
  if (first.nRestarts === undefined && last.activeEnterMonotonicUs !== first.activeEnterMonotonicUs) {
    return `${last.id} re-entered active (ActiveEnterTimestampMonotonic changed)`
  }
  return undefined
}

const secondsText = (ms: number): string => `${(ms / 1000).toFixed(1)}s`

/**
 * One sample of the window. Only its remainder is watched, every SAMPLE_MS, the engine waiting in
 * between (`again`); each sample can end the watch early: a restart seen is the verdict, not a
 * "not yet".
 */
async function probe(ctx: ModuleContext, spec: StableSpec, previous?: StableObservation): Promise<StableObservation> {
  if (previous?.watch !== undefined) return watched(ctx, spec, previous.watch)
  const windowMs = (spec.seconds ?? 20) * 1000
  const start = await readUnit(ctx, spec.unit)
  const first = start.unit
  if (first.loadState === 'not-found') throw unitNotFound(first)
  const unstable = (detail: string): StableObservation => ({ unit: first.id, stable: false, detail })
  if (first.activeState !== 'active') {
    return unstable(`${first.id} is ${first.activeState}/${first.subState}${first.nRestarts ? ` after ${first.nRestarts} restarts` : ''}`)
  }
  // Both ends of this age come from the host's clock, so controller clock skew does not matter.
  const activeFor = first.activeEnterMs === undefined ? 0 : Math.max(0, start.hostNowMs - first.activeEnterMs)
  if (activeFor >= windowMs) {
    return { unit: first.id, stable: true, detail: `${first.id} active for ${secondsText(activeFor)} without a restart` }
  }
  const watchStart = Date.now()
  return watching(ctx, { first, activeFor, windowMs, start: watchStart, until: watchStart + (windowMs - activeFor), againInMs: 0 })
}

/** A later sample: a restart since the first ends the watch, as unstable. */
async function watched(ctx: ModuleContext, spec: StableSpec, watch: Watch): Promise<StableObservation> {
  const change = restartBetween(watch.first, (await readUnit(ctx, spec.unit)).unit)
  if (change !== undefined) return { unit: watch.first.id, stable: false, detail: change }
  return watching(ctx, watch)
}

/** Covered: stable. Out of time: unstable, saying how long. Otherwise the engine samples again. */
function watching(ctx: ModuleContext, watch: Watch): StableObservation {
  const { first, activeFor, windowMs } = watch
  const now = Date.now()
  if (now >= watch.until) {
    return { unit: first.id, stable: true, detail: `${first.id} active for ${secondsText(windowMs)} with NRestarts and MainPID unchanged` }
  }
  const restarts = first.nRestarts === undefined ? '' : ` (NRestarts ${first.nRestarts})`
  const detail = `${first.id} was active for only ${secondsText(activeFor + now - watch.start)} of ${secondsText(windowMs)} by the deadline${restarts}`
  const left = ctx.remainingMs()
  if (left <= 0) return { unit: first.id, stable: false, detail }
  return { unit: first.id, stable: false, detail, watch: { ...watch, againInMs: Math.min(SAMPLE_MS, watch.until - now, left) } }
}

export const stable: Module<StableSpec, StableObservation> = {
  kind: 'stable',
  schema: stableSchema,
  description: 'A gate: the unit stays active for `seconds` without a restart (NRestarts and MainPID unchanged).',
  probe,
  again: (_spec, observed) => observed.watch?.againInMs,
  // Only the first sample: the rest of the window is watched at the task's turn.
  probeAhead: (_ctx, spec) => ({ commands: [showArgv(spec.unit)] }),
  diff: (_spec, observed) => (observed.stable ? [] : [{ action: 'unstable', summary: observed.detail }]),
  // The window is watched through `again`; a restart seen in it is the verdict, not a "not yet".
  pollSeconds: () => 0,
  facts: (observed) => ({ stable: observed.stable, detail: observed.detail }),
}
