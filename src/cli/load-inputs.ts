/**
 * Loads and checks everything a run needs before any host is contacted: extra variables,
 * inventory and playbook, then the cross-checks. Every problem of every file is reported at once.
 */
import { ConfigError, type Diagnostic } from '../errors.js'
import type { Inventory, Playbook, Vars } from '../playbook/model.js'
import { loadInventory, loadPlaybook } from '../playbook/load.js'
import { checkPlaybook } from '../playbook/validate.js'
import { parseExtraVars } from './extra-vars.js'

export interface Inputs {
  readonly playbook: Playbook
  readonly inventory: Inventory
  readonly extraVars: Vars
}

function diagnosticsOf(result: PromiseSettledResult<unknown>): readonly Diagnostic[] {
  if (result.status === 'fulfilled') return []
  if (result.reason instanceof ConfigError) return result.reason.diagnostics
  throw result.reason
}

export async function loadInputs(playbookFile: string, inventoryFile: string, extraVarArgs: readonly string[]): Promise<Inputs> {
  const varsResult = await Promise.allSettled([parseExtraVars(extraVarArgs)])
  const extraVars = varsResult[0].status === 'fulfilled' ? varsResult[0].value : {}
  const [inventoryResult, playbookResult] = await Promise.allSettled([
    loadInventory(inventoryFile),
    loadPlaybook(playbookFile, { extraVars }),
  ])
  const problems = [...diagnosticsOf(varsResult[0]), ...diagnosticsOf(inventoryResult), ...diagnosticsOf(playbookResult)]
  if (problems.length > 0 || inventoryResult.status !== 'fulfilled' || playbookResult.status !== 'fulfilled') {
    throw new ConfigError(problems)
  }
  const inputs = { playbook: playbookResult.value, inventory: inventoryResult.value, extraVars }
  const checks = checkPlaybook(inputs.playbook, inputs.inventory, extraVars)
  if (checks.length > 0) throw new ConfigError(checks)
  performance.mark('tend:validated') // for the bench's profile timeline (bench/profile/timeline.mjs)
  return inputs
}
