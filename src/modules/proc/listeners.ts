import { ProbeError } from '../../errors.js'
import { placeOfCgroup, systemdCgroupPath, type CgroupPlace } from './cgroup.js'
import { holderNameMatches, parseSsListeners } from './ss.js'
import { commandLineOf, parseProcStat } from './stat.js'

/** One process holding one listening TCP socket, with what identifies and places it. */
export interface Listener {
  readonly address: string
  readonly port: number
  readonly pid: number
  readonly comm: string
  /** /proc/<pid>/stat field 22: pins the pid to this one process. */
  readonly startTime: string
  /** The command line as `ps` shows it, shortened. */
  readonly command: string
  readonly place: CgroupPlace
}

/**
 * Shell text that prints every listener matching the ss filter in "$1" and, per holding pid, its
 * stat, systemd cgroup and command line. Every content line carries a key word first, so nothing
 * a process chose (its name, its argv) can pose as a section marker; what it chose goes through
 * printf '%s', never echo (dash's echo turns a `\n` in an argv into a line of the process's making).
 */
export const LISTENERS_SCRIPT = `
export LC_ALL=C TZ=UTC
out=$(ss -ltnpH "$1") || { echo "ss failed: is iproute2 installed?" >&2; exit 3; }
printf '%s\\n' "$out" | sed 's/^/ss /'
for pid in $(printf '%s\\n' "$out" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -un); do
  echo "pid $pid"
  printf 'stat %s\\n' "$(tr '\\n' ' ' < "/proc/$pid/stat" 2>/dev/null)"
  sed 's/^/cgroup /' "/proc/$pid/cgroup" 2>/dev/null
  printf 'cmdline %s\\n' "$(tr '\\0\\n' '  ' < "/proc/$pid/cmdline" 2>/dev/null)"
done
`

/** The ss filter word for one port (passed as an argument, never spliced into script text). */
export function portFilter(port: number): string {
  return `sport = :${port}`
}

interface ProcInfo {
  stat: string
  cgroup: string[]
  cmdline: string
}

function splitSections(lines: readonly string[]): { ss: string[]; procs: Map<number, ProcInfo> } {
  const ss: string[] = []
  const procs = new Map<number, ProcInfo>()
  let current: ProcInfo | undefined
  for (const line of lines) {
    const space = line.indexOf(' ')
    const key = space < 0 ? line : line.slice(0, space)
    const value = space < 0 ? '' : line.slice(space + 1)
    if (key === 'ss') ss.push(value)
    else if (key === 'pid') procs.set(Number(value), (current = { stat: '', cgroup: [], cmdline: '' }))
    else if (key === 'stat' && current) current.stat = value
    else if (key === 'cgroup' && current) current.cgroup.push(value)
    else if (key === 'cmdline' && current) current.cmdline = value
  }
  return { ss, procs }
}

/**
 * Listeners from LISTENERS_SCRIPT output lines. A holder whose process is already gone is left
 * out (it no longer holds anything); one whose /proc name disagrees with ss is refused.
 */
export function parseListeners(lines: readonly string[]): Listener[] {
  const { ss, procs } = splitSections(lines)
  const listeners: Listener[] = []
  for (const socket of parseSsListeners(ss.join('\n'))) {
    for (const holder of socket.holders) {
      const info = procs.get(holder.pid)
      const stat = info === undefined ? undefined : parseProcStat(info.stat)
      if (info === undefined || stat === undefined) continue
      if (!holderNameMatches(holder.name, stat.comm)) {
        throw new ProbeError(`ss names pid ${holder.pid} "${holder.name}" but /proc says "${stat.comm}"; refusing to guess`)
      }
      const path = systemdCgroupPath(info.cgroup.join('\n'))
      listeners.push({
        address: socket.address,
        port: socket.port,
        pid: holder.pid,
        comm: stat.comm,
        startTime: stat.startTime,
        command: commandLineOf(info.cmdline, stat.comm),
        place: path === undefined ? { kind: 'none', path: '?' } : placeOfCgroup(path),
      })
    }
  }
  return listeners
}
