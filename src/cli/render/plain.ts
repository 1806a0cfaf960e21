/**
 * Plain lines for logs and pipes (stdout is not a terminal): one line per finished task in
 * Ansible's words, change summaries indented below, then PLAY RECAP.
 */
import type { EngineEvent } from '../../engine/events.js'
import { palette } from './color.js'
import { banner, recapLines, taskEndLines } from './format.js'
import { batchLine, haltLines, pauseLine, planLines, recheckLine, runEndLines } from './rollout-format.js'
import type { RenderOptions, Renderer } from './types.js'
import { resultLine } from '../verbose.js'
import { MAX_TIMER_MS } from '../../limits.js'


/**
 * How often a task still running is said again (env TEND_HEARTBEAT_SECONDS, default 30): a log
 * or a pipe shows what a hung run is waiting for, and since when.
 */
function heartbeatMs(): number {
  const seconds = Number(process.env.TEND_HEARTBEAT_SECONDS ?? 30)
  // Past what a timer holds, setInterval would fire every millisecond: the default instead.
  return Number.isFinite(seconds) && seconds > 0 && seconds * 1000 <= MAX_TIMER_MS ? seconds * 1000 : 30_000
}

const elapsed = (ms: number): string => {
  const s = Math.round(ms / 1000)
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
}

export function plainRenderer(options: RenderOptions): Renderer {
  const paint = palette(options.color)
  const write = (lines: readonly string[]) => {
    options.out.write(lines.join('\n') + '\n')
  }
  /** Tasks running now, per host, with when they started. */
  const running = new Map<string, { task: string; since: number }>()
  const heartbeat = setInterval(() => {
    const now = Date.now()
    const lines = [...running].map(([host, t]) => paint.dim(`… [${host}] ${t.task}: still running after ${elapsed(now - t.since)}`))
    if (lines.length > 0) write(lines)
  }, heartbeatMs())
  heartbeat.unref()
  /** A halt is shown when it happens; the play's end does not say it again. */
  let halted: string | undefined
  const linesFor = (event: EngineEvent): string[] => {
    switch (event.type) {
      case 'run-start':
        return [
          paint.dim(`run ${event.runId}${event.resumed ? ' (resumed: converged hosts are not converged again)' : ''}`),
          ...(options.check ? [paint.dim('check mode: probing only, nothing will be changed')] : []),
        ]
      case 'play-start':
        return ['', banner(`PLAY [${event.play}]`, paint)]
      case 'batch-start':
        return event.batches > 1 || event.budget !== undefined || event.converged !== undefined ? [batchLine(event)] : []
      case 'rollout-plan':
        return planLines(event, options.check, paint)
      case 'rollout-pause':
        return [pauseLine(event)]
      case 'rollout-recheck':
        return [recheckLine(event)]
      case 'rollout-halt':
        halted = event.reason
        return haltLines(event, paint)
      case 'host-end':
        return []
      case 'task-start':
        running.set(event.host, { task: event.task, since: Date.now() })
        return [paint.dim(`→ [${event.host}] ${event.task}`)]
      case 'task-end':
        running.delete(event.host)
        return [...taskEndLines(event, paint), ...((options.verbosity ?? 0) >= 1 ? resultLine(event.result) : [])]
      case 'play-end':
        return event.stopped && event.stopped !== halted ? [paint.failed(`play stopped: ${event.stopped}`)] : []
      case 'recap':
        return ['', ...recapLines(event.hosts, paint)]
      case 'notice':
        return [paint.unreachable(`tend: ${event.text}`)]
      case 'run-end':
        return [...(event.interrupted ? ['', paint.failed('interrupted: running work was stopped')] : []), ...runEndLines(event, paint)]
    }
  }
  return {
    emit: (event) => {
      const lines = linesFor(event)
      if (lines.length > 0) write(lines)
    },
    interrupting: (signalName) => process.stderr.write(`\ntend: ${signalName}: finishing the change in hand, starting nothing new (press Ctrl-C again to abandon it)\n`),
    finish: async () => {
      clearInterval(heartbeat)
    },
  }
}
