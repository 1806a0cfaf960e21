/** `tend run PLAYBOOK`: validate everything, freeze the plan in the state store, then converge. */
import { newRunId } from '../../engine/run.js'
import { freezePlan } from '../../rollout/plan.js'
import { stateDirOf } from '../../state/dir.js'
import { createRun } from '../../state/runs.js'
import { StateStore } from '../../state/store.js'
import { resolveLimit } from '../limit.js'
import { loadInputs } from '../load-inputs.js'
import { DEFAULT_INVENTORY, type RunFlags } from '../flags.js'
import { controller, executeRun, markPending } from '../recorded-run.js'
import { resumeCommandOf } from '../../state/dir.js'
import { openQueueRun, resumableError } from '../queue-run.js'

export async function runCommand(playbookFile: string, flags: RunFlags): Promise<number> {
  const inventoryFile = flags.inventory ?? DEFAULT_INVENTORY
  const extraVarArgs = flags.extraVars ?? []
  // Nothing below contacts a host until the playbook, inventory and variables validate.
  const { playbook, inventory, extraVars } = await loadInputs(playbookFile, inventoryFile, extraVarArgs)
  const limit = flags.limit === undefined ? undefined : await resolveLimit(inventory, flags.limit)
  const check = flags.check === true
  const plan = freezePlan(playbook, inventory, limit, {
    inventory: inventoryFile, ...(flags.limit !== undefined && { limit: flags.limit }),
    tags: flags.tags ?? [], skipTags: flags.skipTags ?? [], extraVars: extraVarArgs, forks: flags.forks,
    stepTimeoutSeconds: flags.stepTimeout, diff: flags.diff === true, acceptNewHostKeys: flags.acceptNewHostKeys === true,
  }, check)
  const runId = newRunId()
  // --queue: checked and connected before the run is recorded or any output starts.
  const queue = await openQueueRun(flags, playbook, runId)
  const store = StateStore.open(stateDirOf(flags.stateDir))
  createRun(store, { id: runId, kind: 'run', playbook: playbookFile, startedAt: Date.now(), status: 'running', ...controller(), plan })
  if (!check) markPending(store, runId, plan)
  try {
    return await executeRun({
      store, runId, plan, playbook, inventory, extraVars, limit, json: flags.json === true, waitLockSeconds: flags.waitLock ?? 0,
      ...(queue !== undefined && { executor: queue.executor }),
    })
  } catch (error) {
    throw resumableError(error, resumeCommandOf(runId, store.dir))
  } finally {
    await queue?.close()
  }
}
