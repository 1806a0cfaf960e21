import { commandLineOf, parseProcStat } from '../proc/stat.js'

/** One process of a unit's cgroup (main or worker), as `fresh` judges it. */
export interface UnitProcess {
  readonly pid: number
  /** /proc/<pid>/stat field 22: pins a planned restart to this one process. */
  readonly startTime: string
  /** Epoch ms on the host's clock (to the kernel's clock tick, 10 ms on most hosts). */
  readonly startedAtMs: number
  readonly command: string
  /** The executable, when it was deleted or replaced since the process started. */
  readonly deletedExe: string | undefined
  /** Mapped files deleted or replaced since they were mapped (needrestart's "(deleted)"). */
  readonly deletedMaps: readonly string[]
}

/**
 * Shell text: the host's clock, then every process in the cgroup "$1" (and its sub-cgroups) with
 * its stat, command line, executable and deleted mappings. Each line starts with a key word, so
 * nothing a process chose (its name, its argv) can pose as a section marker. cgroup v1/hybrid
 * hosts track units in the name=systemd hierarchy; pure v2 hosts at /sys/fs/cgroup itself.
 * `read` is a builtin, so the uptime and the date are read a moment apart, not a fork apart.
 */
export const PROCS_SCRIPT = `
export LC_ALL=C
read up _ < /proc/uptime
printf '@clock %s %s %s\\n' "$(date +%s.%N)" "$up" "$(getconf CLK_TCK 2>/dev/null || echo 100)"
cg=$1 procs=
if [ -n "$cg" ]; then
  for root in /sys/fs/cgroup/systemd /sys/fs/cgroup/unified /sys/fs/cgroup; do
    [ -f "$root$cg/cgroup.procs" ] || continue
    procs=$(find "$root$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | sort -un); break
  done
fi
for pid in $procs; do
  st=$(tr '\\n' ' ' 2>/dev/null < "/proc/$pid/stat") || continue
  echo "@proc $pid"
  printf 'stat %s\\n' "$st"
  # printf, not echo: dash's echo would turn a \\n an argv holds into a line of the process's making.
  printf 'cmd %s\\n' "$(tr '\\0\\n' '  ' 2>/dev/null < "/proc/$pid/cmdline")"
  printf 'exe %s\\n' "$(readlink "/proc/$pid/exe" 2>/dev/null | tr '\\n' ' ')"
  sed -n 's/^[^ ]* [^ ]* [^ ]* [^ ]* [^ ]* *//; s/ (deleted)$//p' "/proc/$pid/maps" 2>/dev/null | sort -u | sed 's/^/map /'
done
`

/**
 * Deleted mappings that say nothing about stale code (needrestart ignores the same): memfd and
 * SysV shared memory, device and tmpfs files, the kernel's own pseudo files.
 */
const IGNORED_MAPS = [/^\/memfd:/, /^\/SYSV[0-9a-f]+$/i, /^\/dev\//, /^\/run\//, /^\/tmp\//, /^\/var\/tmp\//, /^\/proc\//, /^\/sys\//, /^\/\[aio\]/, /^\/drm/, /^\/i915/]

export const isStaleMapping = (path: string): boolean => path.startsWith('/') && !IGNORED_MAPS.some((re) => re.test(path))

export interface HostClock {
  /** Epoch ms when the probe ran. */
  readonly nowMs: number
  /** Epoch ms of the kernel's boot, as the host's wall clock sees it now. */
  readonly bootMs: number
  readonly ticksPerSecond: number
}

export function parseClock(line: string | undefined): HostClock | undefined {
  const match = /^@clock (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)$/.exec(line ?? '')
  if (match === null) return undefined
  const nowMs = Number(match[1]) * 1000
  return { nowMs, bootMs: nowMs - Number(match[2]) * 1000, ticksPerSecond: Number(match[3]) || 100 }
}

interface Raw { stat: string; cmd: string; exe: string; maps: string[] }

/** PROCS_SCRIPT output (after the clock line) → the unit's processes, pid order. */
export function parseUnitProcesses(lines: readonly string[], clock: HostClock): UnitProcess[] {
  const raw = new Map<number, Raw>()
  let current: Raw | undefined
  for (const line of lines) {
    const space = line.indexOf(' ')
    const key = space < 0 ? line : line.slice(0, space)
    const value = space < 0 ? '' : line.slice(space + 1)
    if (key === '@proc') raw.set(Number(value), (current = { stat: '', cmd: '', exe: '', maps: [] }))
    else if (current === undefined) continue
    else if (key === 'stat') current.stat = value
    else if (key === 'cmd') current.cmd = value
    else if (key === 'exe') current.exe = value.trimEnd()
    else if (key === 'map') current.maps.push(value)
  }
  const processes: UnitProcess[] = []
  for (const [pid, info] of raw) {
    const stat = parseProcStat(info.stat)
    if (stat === undefined || stat.state === 'Z') continue
    const exe = info.exe.endsWith(' (deleted)') ? info.exe.slice(0, -' (deleted)'.length) : undefined
    processes.push({
      pid,
      startTime: stat.startTime,
      startedAtMs: clock.bootMs + (Number(stat.startTime) * 1000) / clock.ticksPerSecond,
      command: commandLineOf(info.cmd, stat.comm),
      deletedExe: exe,
      deletedMaps: info.maps.filter((path) => isStaleMapping(path) && path !== exe),
    })
  }
  return processes.sort((a, b) => a.pid - b.pid)
}
