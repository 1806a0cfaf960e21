import { ProbeError } from '../../errors.js'
import type { ModuleContext } from '../types.js'
import { SHOW_SCRIPT, UNIT_PROPERTIES, describeUnitState, parseUnitSample, unitNotFound, type UnitState } from '../systemd/unit-state.js'
import { inControlGroup, placeOfCgroup, sliceCgroupPath, systemdCgroupPath } from './cgroup.js'
import { LISTENERS_SCRIPT, parseListeners, portFilter, type Listener } from './listeners.js'

/** Who listens on a port, and the unit that should: one round trip. */
export interface PortState {
  readonly port: number
  readonly owner: UnitState
  readonly listeners: readonly Listener[]
  /**
   * System units the probing shell descends from (sshd's ssh.service for an SSH run, tend's own
   * service when it runs as one): stopping one would cut the run off, so they are never evicted.
   */
  readonly connectionUnits: readonly string[]
}

/**
 * The systemd cgroup of every ancestor of the probing shell (in a subshell: $1… stay the caller's).
 * Only shell builtins per level (read, case, set): a walk of five ancestors forks nothing.
 * cgroup v1/hybrid hosts track units in the name=systemd hierarchy; pure v2 hosts in `0::`.
 */
const ANCESTORS_SCRIPT = `(
p=$$
while [ "$p" -gt 1 ] 2>/dev/null; do
  cg=
  while IFS= read -r line; do
    case $line in *:name=systemd:*|0::*) cg=\${line#*:}; cg=\${cg#*:}; break ;; esac
  done 2>/dev/null <"/proc/$p/cgroup"
  echo "ancestor $cg"
  read -r st 2>/dev/null <"/proc/$p/stat" || break
  set -- \${st##*) }
  p=$2
done
)`

// $1: ss filter; then `shift` leaves $1: properties, $2: unit name for SHOW_SCRIPT.
const PORT_SCRIPT = `${LISTENERS_SCRIPT}\n${ANCESTORS_SCRIPT}\necho @unit\nshift\n${SHOW_SCRIPT}`

/** The system units among the ancestors' cgroups (session scopes are not units one could stop). */
function connectionUnitsOf(lines: readonly string[]): string[] {
  const units = new Set<string>()
  for (const line of lines) {
    if (!line.startsWith('ancestor ')) continue
    const place = placeOfCgroup(systemdCgroupPath(`0::${line.slice('ancestor '.length)}`) ?? '')
    if (place.kind === 'unit') units.add(place.unit)
  }
  return [...units]
}

/** The listeners on a port, the probing shell's ancestors and the owner unit: one command. */
export function portStateArgv(port: number, owner: string): readonly string[] {
  return ['sh', '-c', PORT_SCRIPT, 'tend-port', portFilter(port), UNIT_PROPERTIES.join(','), owner]
}

export async function readPortState(ctx: Pick<ModuleContext, 'run' | 'signal'>, port: number, owner: string): Promise<PortState> {
  const result = await ctx.run(portStateArgv(port, owner))
  const lines = result.stdout.split('\n')
  const unitAt = lines.indexOf('@unit')
  if (unitAt < 0) {
    throw new ProbeError(`cannot list listeners on :${port}: ${(result.stderr || result.stdout).trim() || `exit ${result.exitCode}`}`)
  }
  const sample = parseUnitSample(owner, { ...result, stdout: lines.slice(unitAt + 1).join('\n') })
  if (sample.unit.loadState === 'not-found') throw unitNotFound(sample.unit)
  const before = lines.slice(0, unitAt)
  return { port, owner: sample.unit, listeners: parseListeners(before), connectionUnits: connectionUnitsOf(before) }
}

/**
 * The owner's own processes: those in the cgroup systemd gives for it (ControlGroup), or, while it
 * has none (inactive), in the one it would get from its Slice. Never by a unit name found on the
 * path: a nested container may run a unit of the same name.
 */
export function ownedBy(listener: Listener, owner: UnitState): boolean {
  const slice = sliceCgroupPath(owner.slice)
  const group = owner.controlGroup !== '' ? owner.controlGroup : slice === undefined ? '' : `${slice}/${owner.id}`
  return inControlGroup(listener.place.path, group)
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
  if (place.kind === 'unit') return `in ${place.unit}`
  if (place.kind === 'user-unit') return `in ${place.unit} of user ${place.uid}'s own systemd`
  return `outside systemd: ${place.path}`
}

export function describeProcess(listener: Listener): string {
  return `pid ${listener.pid} (${listener.command}, ${describePlace(listener)})`
}

/** What is still wrong with a port's listeners, in words; empty when only the owner listens. */
export function portProblems(state: PortState): string[] {
  const intruders = holdersByPid(state.listeners).filter((l) => !ownedBy(l, state.owner))
  const problems = intruders.map((l) => `${describeProcess(l)} listens on :${state.port}`)
  if (!state.listeners.some((l) => ownedBy(l, state.owner))) {
    problems.push(`${state.owner.id} does not listen on :${state.port} (it is ${describeUnitState(state.owner)})`)
  }
  return problems
}
