import type { ModuleContext } from '../types.js'

/**
 * Ends one process, pinned to its pid AND /proc/<pid>/stat start time, in one remote script so
 * the window between "is it still the process we planned against?" and the signal is a few
 * microseconds, not a round trip. A recycled pid (other start time), a zombie, or a process that
 * no longer listens on the port is left alone. SIGTERM, poll up to the grace period, SIGKILL.
 * Prints one word: gone | not-listening | terminated | killed | survived.
 *
 * The wait for the process to go is the one wait that stays out of the engine, on purpose: it runs
 * on the host, inside this one command, because every signal must follow its identity check by
 * microseconds (split across round trips, a pid could be recycled in between), and the eviction is
 * one change in hand (a first interrupt lets it finish, a second one cuts it). The command is bound
 * by the grace it was planned with (the timeout below) and, like any, by the task's signal.
 */
const EVICT_SCRIPT = `
pid=$1 start=$2 ticks=$3 filter=$4
set -f
same_process() {
  st=$(tr '\\n' ' ' 2>/dev/null < "/proc/$pid/stat") || return 1
  set -- \${st##*) }
  # \$1 is stat field 3 (state), so field 22 (starttime) is \${20}; a zombie holds no socket.
  [ "\${20}" = "$start" ] && [ "$1" != Z ]
}
wait_gone() {
  n=0
  while [ "$n" -lt "$1" ]; do same_process || return 0; sleep 0.1; n=$((n + 1)); done
  ! same_process
}
same_process || { echo gone; exit 0; }
ss -ltnpH "$filter" | grep -q "pid=$pid," || { echo not-listening; exit 0; }
same_process && kill -TERM "$pid" 2>/dev/null
wait_gone "$ticks" && { echo terminated; exit 0; }
same_process && kill -KILL "$pid" 2>/dev/null
wait_gone 50 && { echo killed; exit 0; }
echo survived; exit 1
`

export type EvictOutcome = 'gone' | 'not-listening' | 'terminated' | 'killed' | 'survived'

export interface EvictTarget {
  readonly pid: number
  readonly startTime: string
  readonly graceSeconds: number
  readonly filter: string
}

export async function evictProcess(ctx: ModuleContext, target: EvictTarget): Promise<EvictOutcome | string> {
  const ticks = Math.max(1, Math.round(target.graceSeconds * 10))
  const argv = ['sh', '-c', EVICT_SCRIPT, 'tend-evict', String(target.pid), target.startTime, String(ticks), target.filter]
  const result = await ctx.run(argv, { timeoutMs: (target.graceSeconds + 15) * 1000 })
  const word = result.stdout.trim().split('\n').pop() ?? ''
  return ['gone', 'not-listening', 'terminated', 'killed', 'survived'].includes(word)
    ? (word as EvictOutcome)
    : `exit ${result.exitCode}: ${(result.stderr || result.stdout).trim()}`
}
