import { ProbeError } from '../../errors.js'
import type { ModuleContext } from '../types.js'
import { numberProperty, parseShowTimestamp, parseSystemctlShow, type UnitProperties } from './show.js'

/** The properties tend reads from a unit; one `systemctl show -p` call. */
export const UNIT_PROPERTIES = [
  'Id', 'LoadState', 'ActiveState', 'SubState', 'UnitFileState', 'MainPID', 'NRestarts',
  'NeedDaemonReload', 'ControlGroup', 'Slice', 'Result', 'ActiveEnterTimestamp',
  'ActiveEnterTimestampMonotonic', 'ExecMainStartTimestamp', 'ExecMainStatus',
] as const

/** What one `systemctl show` says about a unit, typed. */
export interface UnitState {
  /** The name as the spec gave it. */
  readonly name: string
  /** systemd's name for it (`scidex-api` → `scidex-api.service`; odd characters escaped). */
  readonly id: string
  readonly loadState: string
  readonly activeState: string
  readonly subState: string
  readonly unitFileState: string
  readonly mainPid: number
  /** Absent before systemd 235. */
  readonly nRestarts: number | undefined
  readonly needDaemonReload: boolean
  readonly controlGroup: string
  /** The slice the unit runs in (known even while it is inactive and has no ControlGroup). */
  readonly slice: string
  readonly result: string
  /** Epoch ms on the host's clock; undefined when the unit never became active. */
  readonly activeEnterMs: number | undefined
  readonly activeEnterMonotonicUs: number | undefined
  readonly execMainStartMs: number | undefined
  /** Exit status of the last main process (203: its ExecStart could not be executed). */
  readonly execMainStatus: number | undefined
}

export function unitStateOf(name: string, props: UnitProperties): UnitState {
  return {
    name,
    id: props.get('Id') || name,
    loadState: props.get('LoadState') ?? '',
    activeState: props.get('ActiveState') ?? '',
    subState: props.get('SubState') ?? '',
    unitFileState: props.get('UnitFileState') ?? '',
    mainPid: numberProperty(props, 'MainPID') ?? 0,
    nRestarts: numberProperty(props, 'NRestarts'),
    needDaemonReload: props.get('NeedDaemonReload') === 'yes',
    controlGroup: props.get('ControlGroup') ?? '',
    slice: props.get('Slice') ?? '',
    result: props.get('Result') ?? '',
    activeEnterMs: parseShowTimestamp(props.get('ActiveEnterTimestamp')),
    activeEnterMonotonicUs: numberProperty(props, 'ActiveEnterTimestampMonotonic') || undefined,
    execMainStartMs: parseShowTimestamp(props.get('ExecMainStartTimestamp')),
    execMainStatus: numberProperty(props, 'ExecMainStatus'),
  }
}

/**
 * `active/running`, plus why a unit that is not running last ended, in words: a missing ExecStart
 * program (status 203/EXEC) otherwise looks like any restart loop.
 */
export function describeUnitState(unit: UnitState): string {
  const words = `${unit.activeState}/${unit.subState}`
  if (unit.execMainStatus === 203) return `${words}; its ExecStart program could not be executed (status 203/EXEC: missing or not executable)`
  return words
}

/**
 * The shell words that print a unit's properties, then the host's clock (`@now EPOCH_MS`), in one
 * round trip. The unit name is a positional parameter, never part of the script text.
 */
export const SHOW_SCRIPT = [
  'export LC_ALL=C TZ=UTC',
  'systemctl show -p "$1" -- "$2" || exit 3',
  // GNU date knows %N; elsewhere (busybox) fall back to whole seconds.
  'now=$(date +%s%3N); case $now in *N) now=$(($(date +%s) * 1000));; esac',
  'echo; echo "@now $now"',
].join('\n')

export function showArgv(name: string): readonly string[] {
  return ['sh', '-c', SHOW_SCRIPT, 'tend-show', UNIT_PROPERTIES.join(','), name]
}

/** A unit's state plus the host's clock when it was read. */
export interface UnitSample {
  readonly unit: UnitState
  readonly hostNowMs: number
}

/** Parses SHOW_SCRIPT output; throws ProbeError when systemctl refused the name or is missing. */
export function parseUnitSample(name: string, result: { exitCode: number; stdout: string; stderr: string }): UnitSample {
  if (result.exitCode !== 0) {
    const why = result.stderr.trim() || `exit ${result.exitCode}`
    // systemctl answers so for every unit when the host has no systemd manager to ask: the name is not the problem.
    if (/not been booted with systemd|Failed to connect to bus|System has not been booted/.test(why)) {
      throw new ProbeError(
        `cannot read unit ${JSON.stringify(name)}: systemd is not running as this host's init (PID 1), so no unit can be managed here (${why.split('\n')[0]})`,
        'run this play on a host booted with systemd (a container started without systemd as PID 1 has no units), or select other hosts with --limit',
      )
    }
    throw new ProbeError(`cannot read unit ${JSON.stringify(name)}: ${why}`, 'check the unit name (systemctl list-units --all)')
  }
  const nowMatch = /^@now (\d+)$/m.exec(result.stdout)
  const [props] = parseSystemctlShow(result.stdout.replace(/^@now .*$/m, ''))
  if (props === undefined || !props.has('LoadState') || nowMatch === null) {
    throw new ProbeError(`unexpected systemctl show output for ${JSON.stringify(name)}: ${result.stdout.slice(0, 200)}`)
  }
  return { unit: unitStateOf(name, props), hostNowMs: Number(nowMatch[1]) }
}

export async function readUnit(ctx: Pick<ModuleContext, 'run' | 'signal'>, name: string): Promise<UnitSample> {
  return parseUnitSample(name, await ctx.run(showArgv(name)))
}

/** A clear failure for a unit systemd does not know. */
export function unitNotFound(unit: Pick<UnitState, 'name' | 'loadState'>): ProbeError {
  return new ProbeError(
    `unit ${JSON.stringify(unit.name)} not found (LoadState=${unit.loadState})`,
    'check the name; install the unit file first, or run `systemctl daemon-reload` after adding it',
  )
}

/** Active, activating, reloading: the unit is (meant to be) running. Failed counts as inactive. */
export function isRunning(unit: UnitState): boolean {
  return ['active', 'activating', 'reloading'].includes(unit.activeState)
}

/** UnitFileState values that mean "starts at boot" (static/indirect/generated cannot be changed). */
const ENABLED_FILE_STATES = ['enabled', 'enabled-runtime', 'alias', 'static', 'indirect', 'generated', 'transient']

export function isEnabled(unit: UnitState): boolean {
  return ENABLED_FILE_STATES.includes(unit.unitFileState)
}

export function isMasked(unit: UnitState): boolean {
  return unit.loadState === 'masked' || unit.unitFileState.startsWith('masked')
}
