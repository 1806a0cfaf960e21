import { existsSync } from 'node:fs'
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
  // scripts/build: the same build `npm run build` does, with its completeness stamp (bin/tend.js
  // never runs a dist/ that is being rewritten); a current build is kept.
  const result = await spawnCollect([join(ROOT, 'scripts', 'build'), '--if-stale'], { cwd: ROOT })
  if (!existsSync(COMPILED_CLI) || result.exitCode !== 0) {
    throw new Error(`scripts/build did not produce ${COMPILED_CLI} (exit ${result.exitCode}):\n${result.stdout.slice(-2000)}`)
  }
  return COMPILED_CLI
}
