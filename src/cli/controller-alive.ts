import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import type { RunRecord } from '../state/runs.js'

// Its own file: `tend runs` asks it too, without loading all of `tend resume` (engine, loader).
/** Whether the controller process of a run still lives (only knowable on its own machine). */
export function controllerAlive(run: RunRecord): boolean {
  if (run.controller !== hostname()) return true
  try {
    process.kill(run.pid, 0)
  } catch {
    return false
  }
  try {
    // A recycled pid belongs to something else: only a tend process counts.
    return readFileSync(`/proc/${run.pid}/cmdline`, 'utf8').includes('tend')
  } catch {
    return false
  }
}
