import { existsSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { spawnCollect } from './measure.js'
import { ROOT } from './peers.js'

export const COMPILED_CLI = join(ROOT, 'dist', 'bundle', 'main.js')
export const SOURCE_CLI = join(ROOT, 'bin', 'tend.js')

/**
 * Builds tend as shipped (scripts/build: the esbuild bundle bin/tend.js prefers), so it is measured
 * as users run it rather than transpiled by tsx on every start. Returns the entry to spawn.
 */
export async function buildTend(): Promise<string> {
  const started = Date.now()
  // scripts/build: the same build `npm run build` does, with its completeness stamp (bin/tend.js
  // never runs a dist/ that is being rewritten).
  const result = await spawnCollect([join(ROOT, 'scripts', 'build')], { cwd: ROOT })
  if (!existsSync(COMPILED_CLI) || statSync(COMPILED_CLI).mtimeMs < started - 1000) {
    throw new Error(`scripts/build did not produce ${COMPILED_CLI} (exit ${result.exitCode}):\n${result.stdout.slice(-2000)}`)
  }
  return COMPILED_CLI
}
