/** Words shared by the watch renderers and `tend history`: one line per host-cycle. */
import { formatDiagnostic } from '../../errors.js'
import type { CycleOutcome } from '../../state/cycles.js'
import type { CycleEnd, WatchEvent } from '../../watch/events.js'
import type { Palette } from './color.js'

export function outcomeWord(outcome: CycleOutcome, paint: Palette): string {
  switch (outcome) {
    case 'ok': return paint.ok('ok')
    case 'corrected': return paint.changed('corrected')
    case 'failed': return paint.failed('failed')
    case 'unreachable': return paint.unreachable('unreachable')
    case 'busy': return paint.skipped('busy')
  }
}

const INDENT = '    '

/** `corrected [web1] in 2.3s (cycle …)` and below it what changed or why it failed. */
export function cycleLines(end: Pick<CycleEnd, 'host' | 'outcome' | 'durationMs' | 'changes' | 'message' | 'startedAt'> & { cycleId?: string }, paint: Palette, withTime: boolean): string[] {
  const when = withTime ? `${new Date(end.startedAt).toISOString()} ` : ''
  const head = `${when}${outcomeWord(end.outcome, paint)} [${end.host}] in ${(end.durationMs / 1000).toFixed(1)}s${end.cycleId ? paint.dim(` (cycle ${end.cycleId})`) : ''}`
  const changes = end.changes.map((c) => `${INDENT}${c.task}: ${c.summary.replaceAll('\n', `\n${INDENT}  `)}`)
  const message = end.message && end.outcome !== 'corrected' ? [`${INDENT}${end.message.trimEnd().replaceAll('\n', `\n${INDENT}`)}`] : []
  return [head, ...(end.outcome === 'failed' ? [...message, ...changes] : [...changes, ...message])]
}

/** Lines for the events every watch output shows the same way (start, reload, stop). */
export function lifecycleLines(event: WatchEvent, paint: Palette): { out: string[]; err: string[] } {
  switch (event.type) {
    case 'watch-start':
      return { out: [`watching ${event.hosts.length} host(s) every ${event.everyMs / 1000}s with ${event.playbook}${event.metrics ? ` — metrics at ${event.metrics}/metrics` : ''}`], err: [] }
    case 'reload':
      return event.applied
        ? { out: [`reloaded: ${event.hosts} host(s)`], err: [] }
        : { out: [], err: [`tend: reload refused, the last good playbook and inventory keep running:`, ...event.diagnostics.map(formatDiagnostic)] }
    case 'watch-stopping':
      return { out: [paint.dim(`${event.signal}: no new cycles; waiting for ${event.running.length} running (${event.running.join(', ') || 'none'})`)], err: [] }
    case 'watch-end':
      return { out: [`stopped (exit ${event.exitCode})`], err: [] }
    default:
      return { out: [], err: [] }
  }
}
