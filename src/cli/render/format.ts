/**
 * Text shared by the plain renderer and the summary after the live view: task lines in Ansible's
 * words, change summaries (the plan under --check), unified diffs (--diff) and the PLAY RECAP.
 * Registered results (`result`) are never printed: they may hold what a no_log task hides.
 */
import { createTwoFilesPatch } from 'diff'
import type { EngineEvent, PlannedChange, RecapCounters, TaskStatus } from '../../engine/events.js'
import type { Palette } from './color.js'

type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>

const WORD: Readonly<Record<TaskStatus, string>> = {
  ok: 'ok',
  changed: 'changed',
  failed: 'failed',
  skipped: 'skipping',
  unreachable: 'unreachable',
  rescued: 'rescued',
  ignored: 'ignored',
}

const INDENT = '    '

/** `PLAY [name] ****` padded with stars to 80 columns, like Ansible's banners. */
export function banner(title: string, paint: Palette): string {
  return paint.bold(`${title} ${'*'.repeat(Math.max(3, 79 - title.length))}`)
}

export function statusWord(status: TaskStatus, paint: Palette): string {
  return paint[status](`${WORD[status]}:`)
}

function diffLines(change: PlannedChange, paint: Palette): string[] {
  if (change.diff === undefined) return []
  const { path, before, after } = change.diff
  const patch = createTwoFilesPatch(path, path, before, after, 'before', 'after')
  return patch
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('Index: ') && !/^=+$/.test(line))
    .map((line) => {
      if (line.startsWith('+') && !line.startsWith('+++')) return INDENT + paint.added(line)
      if (line.startsWith('-') && !line.startsWith('---')) return INDENT + paint.removed(line)
      return INDENT + line
    })
}

/** `changed: [web1] restart app` and its indented change summaries (and diffs). */
export function taskEndLines(event: TaskEnd, paint: Palette): string[] {
  const name = event.handler ? `${event.task} (handler)` : event.task
  // Continuation lines of a message (a hint, stderr) stay under their task.
  const message = event.message ? ` — ${event.message.trimEnd().replaceAll('\n', `\n${INDENT}`)}` : ''
  const head = `${statusWord(event.status, paint)} [${event.host}] ${name}${message}`
  const changes = event.changes.flatMap((change) => [INDENT + change.summary, ...diffLines(change, paint)])
  return [head, ...changes]
}

const COUNTERS: readonly (keyof RecapCounters)[] = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored']

function counterColor(key: keyof RecapCounters): keyof Palette {
  return key === 'skipped' ? 'skipped' : key
}

/** Ansible's recap: `host : ok=1    changed=0    unreachable=0 …`, host padded to 26 columns. */
export function recapLines(hosts: Readonly<Record<string, RecapCounters>>, paint: Palette): string[] {
  const lines = Object.entries(hosts).map(([host, counters]) => {
    const fields = COUNTERS.map((key) => {
      const text = `${key}=${counters[key]}`.padEnd(key.length + 5)
      return counters[key] > 0 ? paint[counterColor(key)](text) : text
    })
    return `${host.padEnd(26)} : ${fields.join(' ')}`.trimEnd()
  })
  return [banner('PLAY RECAP', paint), ...lines]
}
