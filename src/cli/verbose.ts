/**
 * -v/-vv/-vvv, as in ansible-playbook: -v adds each task's changes with their diffs and its result,
 * -vv each remote command with its duration and exit code, -vvv the command's output too.
 * Nothing of a no_log task is shown at any level (the engine reports no result or command for it).
 */
import { shJoin } from '../transport/quote.js'
import type { CommandRecord } from '../engine/types.js'
import { visible } from './render/visible.js'

const INDENT = '    '

/**
 * tend's own scripts (`sh -c SCRIPT tend-NAME ARGS…`) by name and arguments: the script is tend's
 * code, the same every time, and would bury the line. Everything else exactly as it ran.
 */
function shown(argv: readonly string[]): string {
  const own = argv[0] === 'sh' && argv[1] === '-c' && argv[3]?.startsWith('tend-') === true
  return own ? `${shJoin(argv.slice(3))}  (tend script)` : shJoin(argv)
}

export function commandLines(record: CommandRecord, verbosity: number): string[] {
  const outcome = record.exitCode === undefined ? 'did not finish' : `rc=${record.exitCode}`
  const lines = [visible(`${INDENT}[${record.host}] $ ${shown(record.argv)}  (${record.durationMs} ms, ${outcome})`)]
  if (verbosity >= 3) {
    for (const [label, text] of [['stdout', record.stdout], ['stderr', record.stderr]] as const) {
      if (text.trim() === '') continue
      lines.push(`${INDENT}${INDENT}${label}:`, ...visible(text.trimEnd()).split('\n').map((l) => `${INDENT}${INDENT}| ${l}`))
    }
  }
  return lines
}

/** -v: a task's registered result on one line, like Ansible's `=> {...}`. */
export function resultLine(result: Readonly<Record<string, unknown>> | undefined): string[] {
  return result === undefined ? [] : [`${INDENT}=> ${JSON.stringify(result)}`]
}
