/**
 * `tend history`: the drift history of watch (and run) host-cycles, newest first. By default only
 * the cycles that found drift or did not converge; --status all shows every one.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { listCycles, cycleHosts, type CycleOutcome } from '../../state/cycles.js'
import { stateDirOf } from '../../state/dir.js'
import { STORE_FILE, StateStore } from '../../state/store.js'
import { ExitCode } from '../../exit-codes.js'
import type { HistoryFlags } from '../flags.js'
import { colorEnabled, palette } from '../render/color.js'
import { cycleLines } from '../render/watch-format.js'
import { UsageError } from '../report-error.js'
import { compileLinear } from '../../template/linear-regex.js'
import { visible } from '../render/visible.js'

const OUTCOMES: readonly CycleOutcome[] = ['ok', 'corrected', 'failed', 'unreachable', 'busy']
const DEFAULT_OUTCOMES: readonly CycleOutcome[] = ['corrected', 'failed', 'unreachable']

function outcomesOf(status: string | undefined): readonly CycleOutcome[] | undefined {
  if (status === undefined) return DEFAULT_OUTCOMES
  if (status === 'all') return undefined
  const wanted = status.split(',').map((s) => s.trim()).filter(Boolean)
  const unknown = wanted.filter((s) => !OUTCOMES.includes(s as CycleOutcome))
  if (unknown.length > 0) throw new UsageError(`--status ${unknown.join(',')}: expected all or a list of ${OUTCOMES.join(', ')}`)
  return wanted as CycleOutcome[]
}

/** Host names matching an Ansible-like pattern: `a:b` or `a,b`, `*` globs, `~regex`, `!exclude`. */
export function matchHosts(names: readonly string[], pattern: string): string[] {
  const test = (part: string) => {
    if (part.startsWith('~')) {
      const re = compileLinear(part.slice(1))
      return (name: string) => re.test(name)
    }
    const re = new RegExp(`^${part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`)
    return (name: string) => re.test(name)
  }
  const parts = pattern.split(/[:,]/).map((p) => p.trim()).filter(Boolean)
  const include = parts.filter((p) => !p.startsWith('!')).map(test)
  const exclude = parts.filter((p) => p.startsWith('!')).map((p) => test(p.slice(1)))
  return names.filter((n) => (include.length === 0 || include.some((t) => t(n))) && !exclude.some((t) => t(n)))
}

export async function historyCommand(flags: HistoryFlags): Promise<number> {
  const outcomes = outcomesOf(flags.status)
  const dir = stateDirOf(flags.stateDir)
  if (!existsSync(join(dir, STORE_FILE))) {
    if (flags.json !== true) process.stdout.write(`no history yet in ${dir}\n`)
    return ExitCode.ok
  }
  const store = StateStore.open(dir, { readonly: true })
  try {
    const hosts = flags.host === undefined ? undefined : matchHosts(cycleHosts(store), flags.host)
    const cycles = listCycles(store, {
      ...(hosts !== undefined && { hosts }), ...(outcomes !== undefined && { outcomes }),
      ...(flags.since !== undefined && { sinceMs: Date.now() - flags.since }),
    })
    if (flags.json === true) {
      for (const cycle of cycles) process.stdout.write(JSON.stringify(cycle) + '\n')
      return ExitCode.ok
    }
    const paint = palette(colorEnabled(process.stdout))
    const lines = cycles.flatMap((c) => cycleLines(c, paint, true))
    process.stdout.write(lines.length > 0 ? visible(lines.join('\n')) + '\n' : 'no matching host-cycles\n')
    return ExitCode.ok
  } finally {
    store.close()
  }
}
