/**
 * /proc/<pid>/stat: `pid (comm) state ppid … starttime …`. comm is chosen by the process and may
 * contain spaces, parentheses and even newlines, so it ends at the LAST `)`; fields after it are
 * counted from field 3 (state). Field 22, starttime, is clock ticks since boot: together with the
 * pid it names one process for its whole life (a recycled pid has a later start time).
 */
export interface ProcStat {
  readonly pid: number
  readonly comm: string
  readonly state: string
  readonly ppid: number
  /** Field 22, clock ticks since boot, kept as a string: compared, never computed with. */
  readonly startTime: string
}

export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf(' (')
  const close = text.lastIndexOf(')')
  if (open <= 0 || close < open) return undefined
  const pid = Number(text.slice(0, open))
  const rest = text.slice(close + 1).trim().split(/\s+/)
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const state = rest[0]
  const ppid = rest[1]
  const startTime = rest[22 - 3]
  if (!Number.isInteger(pid) || state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) {
    return undefined
  }
  return { pid, comm: text.slice(open + 2, close), state, ppid: Number(ppid), startTime }
}

/** /proc/<pid>/cmdline with NULs (and newlines) turned into spaces, as `ps` shows it; empty for kernel threads. */
export function commandLineOf(raw: string, comm: string, maxLength = 80): string {
  const line = raw.replace(/[\0\n]/g, ' ').trim()
  const shown = line === '' ? `[${comm}]` : line
  return shown.length <= maxLength ? shown : `${shown.slice(0, maxLength - 1)}…`
}
