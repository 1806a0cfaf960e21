/** `tend run PLAYBOOK`: validate everything, freeze the plan in the state store, then converge. */
import { newRunId } from '../../engine/run.js'
import { freezePlan, shownExtraVars } from '../../rollout/plan.js'
import { recordExtraVars } from '../extra-vars.js'
import { stateDirOf } from '../../state/dir.js'
import { createRun } from '../../state/runs.js'
import { StateStore } from '../../state/store.js'
import { resolveLimit } from '../limit.js'
import { loadInputs } from '../load-inputs.js'
import { DEFAULT_INVENTORY, type RunFlags } from '../flags.js'
import { controller, executeRun, markPending } from '../recorded-run.js'
import { resumeCommandOf } from '../../state/dir.js'
import { openQueueRun, resumableError } from '../queue-run.js'
import { ExitCode } from '../../exit-codes.js'
import { ConfigError } from '../../errors.js'
import type { Playbook } from '../../playbook/model.js'
import { leafTasks } from '../../playbook/visit.js'
import { matchesTaskName } from '../../engine/start-at.js'
import { applyConnectionDefaults } from '../connection-defaults.js'
import { listPlaybook, type ListMode } from './list.js'

function listModes(flags: RunFlags): ListMode[] {
  return [flags.listHosts && 'hosts', flags.listTasks && 'tasks', flags.listTags && 'tags'].filter((m): m is ListMode => typeof m === 'string')
}

/** --start-at-task naming no task would silently run nothing: refuse it, as Ansible does. */
function checkStartAt(playbook: Playbook, wanted: string): void {
  const all = playbook.plays.flatMap((p) => leafTasks(p.tasks, { intoIncludes: true }).map(({ task }) => task.name))
  if (all.some((n) => matchesTaskName(wanted, n))) return
  throw new ConfigError([{ file: playbook.file, line: 0, column: 0, message: `--start-at-task: no task named \`${wanted}\``, hint: `Task names: ${all.filter(Boolean).join(', ')}` }])
}

export async function runCommand(playbookFile: string, flags: RunFlags): Promise<number> {
  performance.mark('tend:command') // the command's modules are loaded (bench/profile/timeline.mjs)
  const inventoryFile = flags.inventory ?? DEFAULT_INVENTORY
  const extraVarArgs = flags.extraVars ?? []
  if (flags.syntaxCheck === true) {
    const { validateCommand } = await import('./validate.js')
    return validateCommand(playbookFile, { inventory: inventoryFile, extraVars: extraVarArgs })
  }
  // Nothing below contacts a host until the playbook, inventory and variables validate.
  const loaded = await loadInputs(playbookFile, inventoryFile, extraVarArgs)
  const { playbook, extraVars } = loaded
  const inventory = applyConnectionDefaults(loaded.inventory, flags)
  const limit = flags.limit === undefined ? undefined : await resolveLimit(inventory, flags.limit)
  const listed = listModes(flags)
  if (listed.length > 0) {
    process.stdout.write(listPlaybook(playbook, inventory, listed, { limit, tags: flags.tags ?? [], skipTags: flags.skipTags ?? [] }))
    return ExitCode.ok
  }
  if (flags.startAtTask !== undefined) checkStartAt(playbook, flags.startAtTask)
  const verbosity = Math.min(3, flags.verbose ?? 0)
  const check = flags.check === true
  const runId = newRunId()
  // --queue: checked and connected before the run is recorded or any output starts.
  const queue = await openQueueRun(flags, playbook, runId)
  let store: StateStore
  try {
    store = StateStore.open(stateDirOf(flags.stateDir))
  } catch (error) {
    await queue?.close()
    throw error
  }
  const plan = freezePlan(playbook, inventory, limit, {
    inventory: inventoryFile, ...(flags.limit !== undefined && { limit: flags.limit }),
    // -e values are digested, never stored (src/state/secrets.ts).
    tags: flags.tags ?? [], skipTags: flags.skipTags ?? [], extraVars: recordExtraVars(extraVarArgs, extraVars, (n, v) => store.digest(n, v)), forks: flags.forks,
    // -v shows changes with their diffs.
    stepTimeoutSeconds: flags.stepTimeout, diff: flags.diff === true || verbosity >= 1, acceptNewHostKeys: flags.acceptNewHostKeys === true,
  }, check)
  createRun(store, { id: runId, kind: 'run', playbook: playbookFile, startedAt: Date.now(), status: 'running', ...controller(), plan })
  if (!check) markPending(store, runId, plan)
  try {
    return await executeRun({
      store, runId, plan, playbook, inventory, extraVars, limit, json: flags.json === true, waitLockSeconds: flags.waitLock ?? 0,
      verbosity, ...(flags.startAtTask !== undefined && { startAtTask: flags.startAtTask }),
      ...(queue !== undefined && { executor: queue.executor }),
    })
  } catch (error) {
    throw resumableError(error, resumeCommandOf(runId, store.dir, process.env, shownExtraVars(plan)))
  } finally {
    await queue?.close()
  }
}
