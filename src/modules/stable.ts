import type { FromSchema } from 'json-schema-to-ts'
import { readUnit, showArgv, unitNotFound, type UnitState } from './systemd/unit-state.js'
import { sleep } from './systemd/wait.js'
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

/** What watching the unit showed: `stable`, or why not, in words. */
export interface StableObservation {
  readonly unit: string
  readonly stable: boolean
  readonly detail: string
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

async function probe(ctx: ModuleContext, spec: StableSpec): Promise<StableObservation> {
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
  // Only the remainder of the window is waited for; each sample can end the wait early.
  const watchStart = Date.now()
  const watchUntil = watchStart + (windowMs - activeFor)
  for (;;) {
    const now = Date.now()
    if (now >= watchUntil) break
    if (now >= ctx.deadline) {
      const restarts = first.nRestarts === undefined ? '' : ` (NRestarts ${first.nRestarts})`
      return unstable(`${first.id} was active for only ${secondsText(activeFor + now - watchStart)} of ${secondsText(windowMs)} by the deadline${restarts}`)
    }
    await sleep(Math.min(SAMPLE_MS, watchUntil - now, Math.max(0, ctx.deadline - now)), ctx.signal)
    const change = restartBetween(first, (await readUnit(ctx, spec.unit)).unit)
    if (change !== undefined) return unstable(change)
  }
  return { unit: first.id, stable: true, detail: `${first.id} active for ${secondsText(windowMs)} with NRestarts and MainPID unchanged` }
}

export const stable: Module<StableSpec, StableObservation> = {
  kind: 'stable',
  schema: stableSchema,
  description: 'A gate: the unit stays active for `seconds` without a restart (NRestarts and MainPID unchanged).',
  probe,
  // Only the first sample: the rest of the window is watched at the task's turn.
  probeAhead: (_ctx, spec) => ({ commands: [showArgv(spec.unit)] }),
  diff: (_spec, observed) => (observed.stable ? [] : [{ action: 'unstable', summary: observed.detail }]),
  // The probe itself watches the window; a restart seen in it is the verdict, not a "not yet".
  pollSeconds: () => 0,
  facts: (observed) => ({ stable: observed.stable, detail: observed.detail }),
}
