import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'
import { GNU_TIME } from './measure.js'

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

export const onPath = (cmd: string): boolean =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => executable(join(dir, cmd)))

/**
 * What the bench needs beyond the testbed, each missing piece as one line with its fix. Checked
 * before any host boots: apt-get must never run while hosts are up (their lower layer is /).
 */
export function missingTools(needAnsible: boolean): string[] {
  const missing: string[] = []
  if (!executable(GNU_TIME)) missing.push(`${GNU_TIME} missing (CPU and peak RSS) — fix: apt-get install -y time`)
  if (!onPath('bash')) missing.push('bash missing (the floor peer) — fix: apt-get install -y bash')
  if (needAnsible && !onPath('ansible-playbook')) {
    missing.push('ansible-playbook missing (the ansible peer) — fix: apt-get install -y ansible-core (or run with --smoke)')
  }
  return missing
}
