import { readFile } from 'node:fs/promises'

/** USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on Linux). */
const CLOCK_TICKS = 100

/** user + sys CPU seconds a live process has used so far (its own, not its children's). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15; fields[0] here is field 3.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/** Peak resident set so far of a live process, MB (VmHWM: what GNU time's %M reports at exit). */
export async function peakRssMbOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) / 1024
}
