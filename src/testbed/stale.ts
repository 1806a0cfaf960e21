import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isAlive } from './proc.js'
import { TESTBED_ROOT, readState, stateFileOf } from './state.js'
import { teardown } from './teardown.js'

/**
 * Tears down testbeds a killed run left behind: those owned by a process that is gone. Testbeds
 * from `cli.ts up` (owner null) stay; so do those of a run still going. Returns what it removed.
 */
export async function cleanStaleTestbeds(root = TESTBED_ROOT): Promise<string[]> {
  if (!existsSync(root)) return []
  const removed: string[] = []
  for (const entry of readdirSync(root)) {
    const stateDir = join(root, entry)
    if (!existsSync(stateFileOf(stateDir))) continue
    const { owner } = readState(stateFileOf(stateDir))
    if (owner === null || isAlive(owner.pid, owner.startTime)) continue
    await teardown(stateDir)
    removed.push(stateDir)
  }
  return removed
}
