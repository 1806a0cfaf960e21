/**
 * `tend watch` for logs and pipes: one line per host-cycle that corrected, failed or became
 * unreachable (and when a host comes back), plus one summary line per interval.
 */
import type { CycleOutcome } from '../../state/cycles.js'
import type { WatchEvent } from '../../watch/events.js'
import { palette } from './color.js'
import { cycleLines, lifecycleLines } from './watch-format.js'
import type { WatchRenderer } from './types.js'

export function watchPlainRenderer(options: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; color: boolean }): WatchRenderer {
  const paint = palette(options.color)
  const last = new Map<string, CycleOutcome>()
  const write = (stream: NodeJS.WritableStream, lines: readonly string[]) => {
    if (lines.length > 0) stream.write(lines.join('\n') + '\n')
  }
  return {
    emit(event: WatchEvent) {
      const { out, err } = lifecycleLines(event, paint)
      write(options.out, out)
      write(options.err, err)
      if (event.type === 'cycle-end') {
        const before = last.get(event.host)
        last.set(event.host, event.outcome)
        const news = event.outcome === 'corrected' || event.outcome === 'failed'
          || (event.outcome === 'unreachable' && before !== 'unreachable')
          || (before === 'unreachable' && event.outcome !== 'unreachable')
        if (news) write(options.out, cycleLines(event, paint, true))
      }
      if (event.type === 'watch-summary') {
        const counts = Object.entries(event.outcomes).map(([k, n]) => `${k}=${n}`).join(' ')
        write(options.out, [paint.dim(`${event.time} interval: ${event.hosts} host(s), cycles ${counts}`)])
      }
    },
    finish: async () => {},
  }
}
