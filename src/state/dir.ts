/** Where tend keeps its state: --state-dir, else TEND_STATE_DIR, else the XDG state directory. */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { shJoin } from '../transport/quote.js'

export function stateDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return resolve(flag)
  if (env.TEND_STATE_DIR) return resolve(env.TEND_STATE_DIR)
  const xdg = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state')
  return join(xdg, 'tend')
}

/**
 * The exact command that resumes a run: `--state-dir` is named unless the run lives where a bare
 * `tend resume` would look anyway, and the run's -e with placeholders for their values. Shared by the recap, `tend runs` and the fleet page.
 */
export function resumeCommandOf(runId: string, stateDir: string | undefined, env: NodeJS.ProcessEnv = process.env, extraVars: readonly string[] = []): string {
  const byDefault = stateDirOf(undefined, { ...env, TEND_STATE_DIR: '' })
  const named = stateDir !== undefined && (stateDir !== byDefault || (env.TEND_STATE_DIR ?? '') !== '')
  // -e placeholders (`-e token=…`): the operator gives the values again; the store has only digests.
  return shJoin(['tend', 'resume', runId, ...(named ? ['--state-dir', stateDir] : []), ...extraVars.flatMap((arg) => ['-e', arg])])
}
