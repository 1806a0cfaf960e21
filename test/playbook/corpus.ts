import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError, type Diagnostic } from '../../src/errors.js'
import { loadInventory, loadPlaybook } from '../../src/playbook/load.js'
import { checkPlaybook } from '../../src/playbook/validate.js'

/** test/fixtures/broken: one directory per case with playbook.yaml, optional inventory.yaml|.ini|/, expected.json. */
export const corpusDir = fileURLToPath(new URL('../fixtures/broken/', import.meta.url))

export interface BrokenCase {
  readonly name: string
  readonly playbook: string
  /** The case's own inventory, else the shared test/fixtures/broken/inventory.yaml. */
  readonly inventory: string
  readonly expectedFile: string
}

export function brokenCases(): BrokenCase[] {
  return readdirSync(corpusDir)
    .filter((name) => statSync(join(corpusDir, name)).isDirectory())
    .sort()
    .map((name) => {
      // A case's own inventory: YAML, INI, or a directory of inventory files.
      const own = ['inventory.yaml', 'inventory.ini', 'inventory'].map((f) => join(corpusDir, name, f)).find((f) => existsSync(f))
      return {
        name,
        playbook: join(corpusDir, name, 'playbook.yaml'),
        inventory: own ?? join(corpusDir, 'inventory.yaml'),
        expectedFile: join(corpusDir, name, 'expected.json'),
      }
    })
}

async function diagnosticsOf<T>(load: () => Promise<T>): Promise<{ value?: T; diagnostics: readonly Diagnostic[] }> {
  try {
    return { value: await load(), diagnostics: [] }
  } catch (error) {
    if (error instanceof ConfigError) return { diagnostics: error.diagnostics }
    throw error
  }
}

/** Everything `tend validate` would report for a case: inventory, playbook, then cross-checks. */
export async function validateCase(c: BrokenCase): Promise<readonly Diagnostic[]> {
  const inventory = await diagnosticsOf(() => loadInventory(c.inventory))
  const playbook = await diagnosticsOf(() => loadPlaybook(c.playbook))
  const cross = inventory.value && playbook.value ? checkPlaybook(playbook.value, inventory.value, {}) : []
  return [...inventory.diagnostics, ...playbook.diagnostics, ...cross]
}
