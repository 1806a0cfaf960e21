/** Where tend keeps its state: --state-dir, else TEND_STATE_DIR, else the XDG state directory. */
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

export function stateDirOf(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag !== '') return resolve(flag)
  if (env.TEND_STATE_DIR) return resolve(env.TEND_STATE_DIR)
  const xdg = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state')
  return join(xdg, 'tend')
}
