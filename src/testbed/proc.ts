import { readFileSync, readdirSync } from 'node:fs'

/** Fields of /proc/PID/stat after the parenthesised command (which may contain spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return text.slice(text.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

/** Start time in clock ticks since boot: with the pid, the identity of a process. */
export function startTimeOf(pid: number): string | undefined {
  return statFields(pid)?.[19]
}

/**
 * Alive means present and not a zombie: a finished nspawn stays a zombie for a while because the
 * machine's PID 1 reaps lazily, and `kill -0` succeeds on zombies.
 */
export function isAlive(pid: number, startTime?: string): boolean {
  const fields = statFields(pid)
  if (fields === undefined || fields[0] === 'Z' || fields[0] === 'X') return false
  return startTime === undefined || fields[19] === startTime
}

export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number))
  } catch {
    return []
  }
}

export function selfIdentity(): { pid: number; startTime: string } {
  return { pid: process.pid, startTime: startTimeOf(process.pid) ?? '' }
}
