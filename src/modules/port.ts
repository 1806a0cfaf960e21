import type { FromSchema } from 'json-schema-to-ts'
import { ProbeError } from '../errors.js'
import { evictProcess } from './proc/evict.js'
import { portFilter } from './proc/listeners.js'
import type { Listener } from './proc/listeners.js'
import {
  describeProcess, holdersByPid, ownedBy, portProblems, portStateArgv, readPortState, type PortState,
} from './proc/port-state.js'
import { isRunning } from './systemd/unit-state.js'
import type { Module, ModuleContext } from './types.js'

const portSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['port', 'owner'],
  properties: {
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'The TCP port (IPv4 and IPv6 listeners).' },
    owner: { type: 'string', minLength: 1, description: 'The systemd unit whose processes alone may listen on the port.' },
    grace: { type: 'number', minimum: 0, maximum: 600, default: 10, description: 'Seconds between SIGTERM and SIGKILL when evicting.' },
    evict_other_units: {
      type: 'boolean',
      default: false,
      description: "Stop another service holding the port (a system service, or a user's own unit) instead of failing. Never sshd, PID 1, init.scope or a unit the run's connection depends on.",
    },
  },
} as const

export type PortSpec = FromSchema<typeof portSchema, { keepDefaultedPropertiesOptional: true }>

export type PortChange =
  | { readonly action: 'evict'; readonly pid: number; readonly startTime: string; readonly graceSeconds: number; readonly summary: string }
  /** `uid`: the unit belongs to that user's own manager (`systemctl --user -M UID@`). */
  | { readonly action: 'stop-unit'; readonly unit: string; readonly uid?: number; readonly summary: string }
  | { readonly action: 'restart-owner'; readonly unit: string; readonly summary: string }

/** A freshly started owner binds a moment after it reads `active`: wait this long before restarting it. */
const SETTLE_MS = 5000
/** How often the engine looks again while the owner may still be binding. */
const SETTLE_EVERY_MS = 250

/**
 * The port as probed, and until when an owner that runs alone without listening may still be
 * binding (set at the first read, never past the deadline): until then the probe is not final.
 */
export interface PortObservation extends PortState {
  readonly settleUntil?: number
  readonly settling?: boolean
}

/** Units the SSH connection of a run depends on, whatever else the host holds. */
const SSH_UNITS = /^(sshd?\.(service|socket)|sshd?@.*\.service)$/

/** Why tend never stops this holder, even with evict_other_units; undefined when it may. */
function protectedHolder(holder: Listener, state: PortState): { why: string; hint: string } | undefined {
  const { place } = holder
  if (holder.pid === 1 || (place.kind === 'unit' && place.unit === 'init.scope')) {
    return {
      why: 'it is the host\'s systemd (PID 1 / init.scope: a .socket unit listens there)',
      hint: 'stop the socket unit that listens on the port (systemctl list-sockets); tend never signals PID 1',
    }
  }
  if (place.kind !== 'unit') return undefined
  if (SSH_UNITS.test(place.unit) || state.connectionUnits.includes(place.unit)) {
    return {
      why: `tend never stops ${place.unit}: this run's own connection to the host depends on it`,
      hint: `move ${place.unit} or the owner to another port; stopping it would cut every session off`,
    }
  }
  return undefined
}

/**
 * Holders that are units (system services, users' own units) are not rogues: the task fails
 * naming them unless evict_other_units says to stop them, and never for a protected one.
 */
function refuseOtherUnits(spec: PortSpec, state: PortState): void {
  for (const holder of holdersByPid(state.listeners)) {
    if (ownedBy(holder, state.owner)) continue
    const guarded = protectedHolder(holder, state)
    if (guarded !== undefined) {
      throw new ProbeError(`:${spec.port} is held by ${describeProcess(holder)}, not by ${state.owner.id}; ${guarded.why}; nothing was stopped`, guarded.hint)
    }
    if (holder.place.kind !== 'unit' && holder.place.kind !== 'user-unit') continue
    const unit = holder.place.unit
    if (spec.evict_other_units === true && unit.endsWith('.service')) continue
    throw new ProbeError(
      `:${spec.port} is held by ${unit} (${describeProcess(holder)}), not by ${state.owner.id}; nothing was stopped`,
      unit.endsWith('.service') ? 'stop that unit, or set evict_other_units: true' : `tend does not evict ${unit}`,
    )
  }
}

async function probe(ctx: ModuleContext, spec: PortSpec, previous?: PortObservation): Promise<PortObservation> {
  const state = await readPortState(ctx, spec.port, spec.owner)
  const settleUntil = previous?.settleUntil ?? Date.now() + Math.min(SETTLE_MS, ctx.remainingMs())
  // Only an owner that is running and alone may still be binding; anything else is decided now
  // (and with no listener there is no other unit to refuse).
  const settling = state.listeners.length === 0 && isRunning(state.owner) && Date.now() < settleUntil
  refuseOtherUnits(spec, state)
  return { ...state, settleUntil, settling }
}

function evictionOf(spec: PortSpec, holder: Listener): PortChange {
  const grace = spec.grace ?? 10
  if (holder.place.kind === 'unit' || holder.place.kind === 'user-unit') {
    const unit = holder.place.unit
    const uid = holder.place.kind === 'user-unit' ? holder.place.uid : undefined
    const whose = uid === undefined ? '' : ` of user ${uid}`
    return { action: 'stop-unit', unit, ...(uid !== undefined && { uid }), summary: `stop ${unit}${whose} (${describeProcess(holder)} holds :${spec.port}; evict_other_units)` }
  }
  return {
    action: 'evict',
    pid: holder.pid,
    startTime: holder.startTime,
    graceSeconds: grace,
    summary: `evict ${describeProcess(holder)} from :${spec.port} — SIGTERM, SIGKILL after ${grace}s`,
  }
}

function diff(spec: PortSpec, state: PortState): PortChange[] {
  const evictions = holdersByPid(state.listeners).filter((l) => !ownedBy(l, state.owner)).map((l) => evictionOf(spec, l))
  if (state.listeners.some((l) => ownedBy(l, state.owner))) return evictions
  const owner = state.owner
  const restarts = owner.nRestarts ? `, ${owner.nRestarts} restart${owner.nRestarts === 1 ? '' : 's'}` : ''
  const why = `it is ${owner.activeState}/${owner.subState}${restarts}`
  const summary = `reset-failed, then restart ${owner.id} so it listens on :${spec.port} (${why})`
  return [...evictions, { action: 'restart-owner', unit: owner.id, summary }]
}

// reset-failed clears a `failed` state and the start limit a restart loop used up (testbed gotcha 4).
const RESTART_SCRIPT = 'systemctl reset-failed -- "$1" 2>/dev/null; systemctl restart -- "$1"'

async function apply(ctx: ModuleContext, change: PortChange, spec: PortSpec) {
  if (change.action === 'evict') {
    const outcome = await evictProcess(ctx, { ...change, filter: portFilter(spec.port) })
    const failed = ['gone', 'not-listening', 'terminated', 'killed'].includes(outcome)
      ? undefined
      : `pid ${change.pid} could not be evicted: ${outcome}`
    return { data: { pid: change.pid, outcome }, failed }
  }
  const argv = change.action === 'restart-owner' ? ['sh', '-c', RESTART_SCRIPT, 'tend-restart', change.unit]
    : change.uid === undefined ? ['systemctl', 'stop', '--', change.unit]
    : ['systemctl', '--user', '--machine', `${change.uid}@`, 'stop', '--', change.unit]
  const result = await ctx.run(argv)
  return result.exitCode === 0 ? {} : { failed: `${change.summary}: ${result.stderr.trim() || `exit ${result.exitCode}`}` }
}

/** Level-based: only the owner's cgroup listens (the engine observes again until then or the deadline). */
async function verify(ctx: ModuleContext, spec: PortSpec): Promise<readonly string[]> {
  return portProblems(await readPortState(ctx, spec.port, spec.owner))
}

export const port: Module<PortSpec, PortObservation, PortChange> = {
  kind: 'port',
  schema: portSchema,
  description: "Only the owner unit's processes listen on the port: others are evicted (pinned to pid and start time), then the owner is restarted.",
  probe,
  again: (_spec, observed) => (observed.settling === true ? SETTLE_EVERY_MS : undefined),
  probeAhead: (_ctx, spec) => ({ commands: [portStateArgv(spec.port, spec.owner)] }),
  diff,
  apply,
  verify,
  facts: (state) => ({
    listeners: state.listeners.map((l) => ({ pid: l.pid, address: l.address, command: l.command, cgroup: l.place.path })),
    owner: state.owner.id,
  }),
}
