import { ProbeError } from '../../errors.js'
import { SHOW_SCRIPT, UNIT_PROPERTIES, parseUnitSample, unitNotFound, type UnitState } from '../systemd/unit-state.js'
import type { ModuleContext } from '../types.js'
import { parsePaths, pathsScript, type PathState } from './code-paths.js'
import { PROCS_SCRIPT, parseClock, parseUnitProcesses, type UnitProcess } from './unit-procs.js'

/** Everything `fresh` judges: the unit, its processes, and the newest change under each path. */
export interface FreshState {
  readonly unit: UnitState
  readonly processes: readonly UnitProcess[]
  readonly paths: readonly PathState[]
}

/** Why one process is stale, in words; undefined when it runs what is on disk. */
export interface StaleProcess {
  readonly process: UnitProcess
  readonly reasons: readonly string[]
}

/** `2026-11-30 15:20:01.234 UTC`: the host's clock, to the millisecond. */
export const timeText = (ms: number): string => `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')} UTC`

/**
 * The unit's properties, then the processes of its ControlGroup, then the newest change under
 * every path: one script, one round trip. The unit name is a positional parameter.
 */
export function freshArgv(unit: string, paths: readonly string[], exclude: readonly string[]): readonly string[] {
  const cgroup = 'set -- "$(systemctl show -p ControlGroup --value -- "$2" 2>/dev/null)"'
  const script = `${SHOW_SCRIPT}\necho @procs\n${cgroup}\n${PROCS_SCRIPT}\necho @paths\n${pathsScript(paths, exclude)}`
  return ['sh', '-c', script, 'tend-fresh', UNIT_PROPERTIES.join(','), unit]
}

/**
 * Reads a unit's FreshState. A path that is missing, or holds no file once `exclude` is applied,
 * fails the probe: a deleted checkout is never "fresh", and restarting onto it would turn
 * stale-but-serving into down.
 */
export async function readFreshState(
  ctx: Pick<ModuleContext, 'run' | 'signal'>, unit: string, paths: readonly string[], exclude: readonly string[],
): Promise<FreshState> {
  const result = await ctx.run(freshArgv(unit, paths, exclude))
  const all = result.stdout.split('\n')
  const procsAt = all.indexOf('@procs')
  // Without the marker the unit could not be read: parseUnitSample says why (exit 3, stderr).
  const shown = procsAt < 0 ? result : { ...result, exitCode: 0, stdout: all.slice(0, procsAt).join('\n') }
  const { unit: state } = parseUnitSample(unit, shown)
  if (state.loadState === 'not-found') throw unitNotFound(state)
  const lines = all.slice(procsAt + 1)
  const clock = parseClock(lines[0])
  const at = lines.indexOf('@paths')
  const pathStates = at < 0 ? undefined : parsePaths(paths, lines.slice(at + 1))
  if (clock === undefined || pathStates === undefined) {
    throw new ProbeError(`cannot read the processes of ${state.id} or its paths: ${(result.stderr || result.stdout).trim().slice(0, 300) || `exit ${result.exitCode}`}`)
  }
  for (const path of pathStates) {
    if (path.kind === 'missing') throw new ProbeError(`${path.path} does not exist: the code of ${state.id} is gone; not restarting onto it`, 'deploy the code again, or fix `paths`')
    if (path.count === 0) throw new ProbeError(`${path.path} holds no file (after exclude): the code of ${state.id} is gone; not restarting onto it`, 'deploy the code again, or fix `paths`/`exclude`')
  }
  return { unit: state, processes: parseUnitProcesses(lines.slice(1, at), clock), paths: pathStates }
}

/** The path entry with the newest change (paths are all non-empty once probed). */
export function newestChange(paths: readonly PathState[]): { file: string; ms: number } | undefined {
  let newest: { file: string; ms: number } | undefined
  for (const p of paths) if (p.kind === 'files' && (newest === undefined || p.newestMs > newest.ms)) newest = { file: p.newestFile, ms: p.newestMs }
  return newest
}

/** Stale: started before the newest change on disk, or runs/maps a file deleted since. */
export function staleProcesses(state: FreshState): StaleProcess[] {
  const newest = newestChange(state.paths)
  return state.processes.flatMap((process) => {
    const reasons: string[] = []
    if (newest !== undefined && process.startedAtMs < newest.ms) {
      reasons.push(`started ${timeText(process.startedAtMs)}, before ${newest.file} changed at ${timeText(newest.ms)}`)
    }
    if (process.deletedExe !== undefined) reasons.push(`runs ${process.deletedExe}, deleted or replaced since it started`)
    const maps = process.deletedMaps
    if (maps.length > 0) {
      const shown = maps.slice(0, 2).join(', ') + (maps.length > 2 ? ` and ${maps.length - 2} more` : '')
      reasons.push(`maps ${shown}, deleted or replaced since it was mapped`)
    }
    return reasons.length === 0 ? [] : [{ process, reasons }]
  })
}

const SHOWN = 3

/** `pid 81 (python3 app.py) started …, before …; pid 90 (…) maps …` */
export function describeStale(stale: readonly StaleProcess[]): string {
  const shown = stale.slice(0, SHOWN).map((s) => `pid ${s.process.pid} (${s.process.command}) ${s.reasons.join(', and ')}`)
  const more = stale.length > SHOWN ? `; and ${stale.length - SHOWN} more stale processes` : ''
  return shown.join('; ') + more
}
