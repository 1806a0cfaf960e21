import { ProbeError } from '../../errors.js'
import type { ModuleContext } from '../types.js'
import { SHOW_SCRIPT, UNIT_PROPERTIES, parseUnitSample, unitNotFound, type UnitState } from '../systemd/unit-state.js'
import { inControlGroup } from './cgroup.js'
import { LISTENERS_SCRIPT, parseListeners, portFilter, type Listener } from './listeners.js'

/** Who listens on a port, and the unit that should: one round trip. */
export interface PortState {
  readonly port: number
  readonly owner: UnitState
  readonly listeners: readonly Listener[]
}

// $1: ss filter; then `shift` leaves $1: properties, $2: unit name for SHOW_SCRIPT.
const PORT_SCRIPT = `${LISTENERS_SCRIPT}\necho @unit\nshift\n${SHOW_SCRIPT}`

export async function readPortState(ctx: Pick<ModuleContext, 'run' | 'signal'>, port: number, owner: string): Promise<PortState> {
  const argv = ['sh', '-c', PORT_SCRIPT, 'tend-port', portFilter(port), UNIT_PROPERTIES.join(','), owner]
  const result = await ctx.run(argv, { signal: ctx.signal })
  const lines = result.stdout.split('\n')
  const unitAt = lines.indexOf('@unit')
  if (unitAt < 0) {
    throw new ProbeError(`cannot list listeners on :${port}: ${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}`)
  }
  const sample = parseUnitSample(owner, { ...result, stdout: lines.slice(unitAt + 1).join('\n') })
  if (sample.unit.loadState === 'not-found') throw unitNotFound(sample.unit)
  return { port, owner: sample.unit, listeners: parseListeners(lines.slice(0, unitAt)) }
}

/** The owner's own processes: in its ControlGroup, or (when it has none right now) named after it. */
export function ownedBy(listener: Listener, owner: UnitState): boolean {
  if (inControlGroup(listener.place.path, owner.controlGroup)) return true
  return listener.place.kind === 'unit' && listener.place.unit === owner.id
}

/** One entry per process: a process listening on IPv4 and IPv6 is evicted once. */
export function holdersByPid(listeners: readonly Listener[]): Listener[] {
  const seen = new Map<number, Listener>()
  for (const listener of listeners) if (!seen.has(listener.pid)) seen.set(listener.pid, listener)
  return [...seen.values()]
}

/** Human words for where a process lives, for change summaries and failures. */
export function describePlace(listener: Listener): string {
  const { place } = listener
  return place.kind === 'unit' ? `in ${place.unit}` : `outside systemd: ${place.path}`
}

export function describeProcess(listener: Listener): string {
  return `pid ${listener.pid} (${listener.command}, ${describePlace(listener)})`
}

/** What is still wrong with a port's listeners, in words; empty when only the owner listens. */
export function portProblems(state: PortState): string[] {
  const intruders = holdersByPid(state.listeners).filter((l) => !ownedBy(l, state.owner))
  const problems = intruders.map((l) => `${describeProcess(l)} listens on :${state.port}`)
  if (!state.listeners.some((l) => ownedBy(l, state.owner))) {
    problems.push(`${state.owner.id} does not listen on :${state.port} (it is ${state.owner.activeState}/${state.owner.subState})`)
  }
  return problems
}
