import type { FromSchema } from 'json-schema-to-ts'
import {
  describeUnitState, isEnabled, isMasked, readUnit, showArgv, unitNotFound, type UnitSample, type UnitState,
} from './systemd/unit-state.js'
import type { Module, ModuleContext } from './types.js'

const unitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: {
      type: 'string',
      minLength: 1,
      description: 'The systemd unit, e.g. scidex-api.service. Given alone (`unit: NAME`), the unit is expected active.',
    },
    state: {
      enum: ['active', 'inactive'],
      description: 'active: started (a failed unit is reset-failed, then started); inactive: stopped. A restart is a change, not a state.',
    },
    enabled: { type: 'boolean', description: 'Whether the unit starts at boot.' },
    masked: { type: 'boolean', description: 'Whether the unit is masked (cannot be started at all).' },
    action: {
      enum: ['restart', 'reload'],
      description: 'Ansible\'s state restarted/reloaded: run every time after the state is reached, reported as a change (never idempotent).',
    },
  },
} as const

export type UnitSpec = FromSchema<typeof unitSchema>

export type UnitAction = 'daemon-reload' | 'unmask' | 'mask' | 'enable' | 'disable' | 'start' | 'reset-failed-start' | 'stop' | 'restart' | 'reload'

export interface UnitChange {
  readonly action: UnitAction
  readonly unit: string
  readonly summary: string
}

async function probe(ctx: ModuleContext, spec: UnitSpec): Promise<UnitSample> {
  const sample = await readUnit(ctx, spec.name)
  // Masking a unit that does not exist is meaningful (it keeps one from appearing); nothing else is.
  if (sample.unit.loadState === 'not-found' && spec.masked !== true) throw unitNotFound(sample.unit)
  return sample
}

const stateWords = (unit: UnitState): string => describeUnitState(unit)

function maskChanges(spec: UnitSpec, unit: UnitState): UnitChange[] {
  const name = spec.name
  if (spec.masked === true && !isMasked(unit)) return [{ action: 'mask', unit: name, summary: `mask ${name}` }]
  if (spec.masked === false && isMasked(unit)) return [{ action: 'unmask', unit: name, summary: `unmask ${name}` }]
  return []
}

function enableChanges(spec: UnitSpec, unit: UnitState): UnitChange[] {
  const name = spec.name
  if (spec.enabled === undefined || spec.masked === true || spec.enabled === isEnabled(unit)) return []
  const action = spec.enabled ? 'enable' : 'disable'
  return [{ action, unit: name, summary: `${action} ${name} (it is ${unit.unitFileState || 'unknown'})` }]
}

function stateChanges(spec: UnitSpec, unit: UnitState): UnitChange[] {
  const name = spec.name
  if (spec.state === 'active' && unit.activeState !== 'active' && unit.activeState !== 'reloading') {
    return unit.activeState === 'failed'
      ? [{ action: 'reset-failed-start', unit: name, summary: `reset-failed, then start ${name} (it is ${stateWords(unit)})` }]
      : [{ action: 'start', unit: name, summary: `start ${name} (it is ${stateWords(unit)})` }]
  }
  if (spec.state === 'inactive' && ['active', 'activating', 'reloading'].includes(unit.activeState)) {
    return [{ action: 'stop', unit: name, summary: `stop ${name} (it is ${stateWords(unit)})` }]
  }
  return []
}

/** `unit: NAME` (the shorthand, name alone) means {name: NAME, state: active}. */
function withDefaults(spec: UnitSpec): UnitSpec {
  const onlyName = spec.state === undefined && spec.enabled === undefined && spec.masked === undefined
  return onlyName ? { ...spec, state: 'active' } : spec
}

function diff(given: UnitSpec, { unit }: UnitSample): UnitChange[] {
  const spec = withDefaults(given)
  const reload: UnitChange[] = unit.needDaemonReload
    ? [{ action: 'daemon-reload', unit: spec.name, summary: `daemon-reload (the unit file of ${spec.name} changed on disk)` }]
    : []
  const states = stateChanges(spec, unit)
  // A restart right after a start would be a second start: the start already is the fresh process.
  const action: UnitChange[] = spec.action === undefined || states.some((c) => c.action !== 'stop')
    ? []
    : [{ action: spec.action, unit: spec.name, summary: `${spec.action} ${spec.name} (asked every run: Ansible's state ${spec.action}ed)` }]
  return [...reload, ...maskChanges(spec, unit), ...enableChanges(spec, unit), ...states, ...action]
}

/** After apply, the declared state without the one-off action (it is never "reached"). */
async function verify(ctx: ModuleContext, spec: UnitSpec): Promise<readonly string[]> {
  const { action: _done, ...state } = spec
  return diff(state, await probe(ctx, state)).map((c) => c.summary)
}

/** argv per action; the unit name is always one word after `--`. */
function argvOf(change: UnitChange): readonly string[] {
  switch (change.action) {
    case 'daemon-reload': return ['systemctl', 'daemon-reload']
    case 'reset-failed-start':
      return ['sh', '-c', 'systemctl reset-failed -- "$1" && systemctl start -- "$1"', 'tend-unit', change.unit]
    default: return ['systemctl', change.action, '--', change.unit]
  }
}

async function apply(ctx: ModuleContext, change: UnitChange) {
  const result = await ctx.run(argvOf(change))
  if (result.exitCode === 0) return {}
  return { failed: `${change.summary}: ${result.stderr.trim() || `exit ${result.exitCode}`}` }
}

export const unit: Module<UnitSpec, UnitSample, UnitChange> = {
  kind: 'unit',
  schema: unitSchema,
  description: 'A systemd unit is active or inactive, enabled or not, masked or not; recovers a failed unit.',
  probe,
  probeAhead: (_ctx, spec) => ({ commands: [showArgv(spec.name)] }),
  diff,
  apply,
  verify,
  facts: ({ unit: u }) => ({
    LoadState: u.loadState,
    ActiveState: u.activeState,
    SubState: u.subState,
    MainPID: u.mainPid,
    NRestarts: u.nRestarts,
    UnitFileState: u.unitFileState,
    NeedDaemonReload: u.needDaemonReload,
  }),
}
