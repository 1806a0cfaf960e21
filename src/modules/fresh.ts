import type { FromSchema } from 'json-schema-to-ts'
import { DEFAULT_EXCLUDE } from './fresh/code-paths.js'
import {
  describeStale, freshArgv, newestChange, readFreshState, staleProcesses, timeText, type FreshState,
} from './fresh/fresh-state.js'
import { isRunning } from './systemd/unit-state.js'
import type { Module, ModuleContext } from './types.js'

const freshSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['unit', 'paths'],
  properties: {
    unit: { type: 'string', minLength: 1, description: 'The systemd unit whose processes (main and workers) must run the code on disk.' },
    paths: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', pattern: '^/' },
      description: 'Absolute directories or files holding the code. A missing or empty one fails the task and nothing is restarted.',
    },
    exclude: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      default: [...DEFAULT_EXCLUDE],
      description: 'Globs whose changes do not count: a file or directory name, or a whole path when the glob has a "/".',
    },
    restart: {
      type: 'boolean',
      default: true,
      description: 'Restart the unit when a process is stale; false makes the task a gate that fails instead.',
    },
  },
} as const

export type FreshSpec = FromSchema<typeof freshSchema, { keepDefaultedPropertiesOptional: true }>

export interface FreshChange {
  readonly action: 'restart' | 'stale'
  readonly unit: string
  /** The stale processes the plan was made against: a pid AND its start time each. */
  readonly pinned: readonly { readonly pid: number; readonly startTime: string }[]
  readonly summary: string
}

const probe = (ctx: ModuleContext, spec: FreshSpec): Promise<FreshState> =>
  readFreshState(ctx, spec.unit, spec.paths, spec.exclude ?? DEFAULT_EXCLUDE)

function diff(spec: FreshSpec, state: FreshState): FreshChange[] {
  const stale = staleProcesses(state)
  if (stale.length === 0) return []
  const pinned = stale.map((s) => ({ pid: s.process.pid, startTime: s.process.startTime }))
  const why = describeStale(stale)
  return spec.restart === false
    ? [{ action: 'stale', unit: state.unit.id, pinned, summary: `${state.unit.id} runs stale code: ${why}` }]
    : [{ action: 'restart', unit: state.unit.id, pinned, summary: `restart ${state.unit.id}: ${why}` }]
}

async function apply(ctx: ModuleContext, change: FreshChange) {
  if (change.action === 'stale') return { failed: 'restart: false, so the task fails instead of restarting' }
  const stillThere = await planStillHolds(ctx, change.pinned)
  if (!stillThere) return { data: { restarted: false } }
  const result = await ctx.run(['systemctl', 'restart', '--', change.unit])
  return result.exitCode === 0
    ? { data: { restarted: true } }
    : { failed: result.stderr.trim() || `systemctl restart exited ${result.exitCode}` }
}

/**
 * Whether any pinned process still runs: same pid and same /proc start time (a recycled pid has a
 * later one). Then the restart goes ahead; otherwise something restarted the unit meanwhile.
 */
const PINNED_SCRIPT = 'for pid; do st=$(tr "\\n" " " 2>/dev/null < "/proc/$pid/stat") && set -f && set -- ${st##*) } && echo "$pid ${20}"; done'

async function planStillHolds(ctx: ModuleContext, pinned: FreshChange['pinned']): Promise<boolean> {
  const result = await ctx.run(['sh', '-c', PINNED_SCRIPT, 'tend-pinned', ...pinned.map((p) => String(p.pid))])
  const running = new Set(result.stdout.split('\n').map((line) => line.trim()))
  return pinned.some((p) => running.has(`${p.pid} ${p.startTime}`))
}

/** Observed again: the unit runs at least one process, and none is stale. */
async function verify(ctx: ModuleContext, spec: FreshSpec): Promise<readonly string[]> {
  const state = await probe(ctx, spec)
  if (state.processes.length === 0) {
    return [`${state.unit.id} runs no process after the restart (${state.unit.activeState}/${state.unit.subState})`]
  }
  const stale = staleProcesses(state)
  return stale.length === 0 ? [] : [`${state.unit.id} still runs stale code: ${describeStale(stale)}`]
}

function facts(state: FreshState): Readonly<Record<string, unknown>> {
  const newest = newestChange(state.paths)
  return {
    unit: state.unit.id,
    running: isRunning(state.unit),
    processes: state.processes.map((p) => ({ pid: p.pid, command: p.command, started: timeText(p.startedAtMs) })),
    newest: newest === undefined ? null : { file: newest.file, changed: timeText(newest.ms) },
    stale: staleProcesses(state).map((s) => ({ pid: s.process.pid, reasons: s.reasons })),
  }
}

export const fresh: Module<FreshSpec, FreshState, FreshChange> = {
  kind: 'fresh',
  schema: freshSchema,
  description: "The unit's processes run the code on disk: none started before the newest change under `paths` or maps a deleted file; otherwise the unit is restarted.",
  probe,
  probeAhead: (_ctx, spec) => ({ commands: [freshArgv(spec.unit, spec.paths, spec.exclude ?? DEFAULT_EXCLUDE)] }),
  diff,
  apply,
  verify,
  facts,
}
