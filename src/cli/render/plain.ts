/**
 * Plain lines for logs and pipes (stdout is not a terminal): one line per finished task in
 * Ansible's words, change summaries indented below, then PLAY RECAP.
 */
import type { EngineEvent } from '../../engine/events.js'
import { palette } from './color.js'
import { banner, recapLines, taskEndLines } from './format.js'
import type { RenderOptions, Renderer } from './types.js'
import { resultLine } from '../verbose.js'

function batchLine(event: Extract<EngineEvent, { type: 'batch-start' }>): string {
  const shown = event.hosts.slice(0, 8).join(', ')
  const more = event.hosts.length > 8 ? `, … ${event.hosts.length - 8} more` : ''
  return `BATCH ${event.batch}/${event.batches} [${shown}${more}]`
}

export function plainRenderer(options: RenderOptions): Renderer {
  const paint = palette(options.color)
  const write = (lines: readonly string[]) => {
    options.out.write(lines.join('\n') + '\n')
  }
  const linesFor = (event: EngineEvent): string[] => {
    switch (event.type) {
      case 'run-start':
        return options.check ? [paint.dim('check mode: probing only, nothing will be changed')] : []
      case 'play-start':
        return ['', banner(`PLAY [${event.play}]`, paint)]
      case 'batch-start':
        return event.batches > 1 ? [batchLine(event)] : []
      case 'task-start':
        return []
      case 'task-end':
        return [...taskEndLines(event, paint), ...((options.verbosity ?? 0) >= 1 ? resultLine(event.result) : [])]
      case 'play-end':
        return event.stopped ? [paint.failed(`play stopped: ${event.stopped}`)] : []
      case 'recap':
        return ['', ...recapLines(event.hosts, paint)]
      case 'run-end':
        return event.interrupted ? ['', paint.failed('interrupted: running work was stopped')] : []
    }
  }
  return {
    emit: (event) => {
      const lines = linesFor(event)
      if (lines.length > 0) write(lines)
    },
    interrupting: (signalName) => process.stderr.write(`\ntend: ${signalName}: stopping (press Ctrl-C again to exit at once)\n`),
    finish: async () => {},
  }
}
