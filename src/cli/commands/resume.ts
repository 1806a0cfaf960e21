/**
 * `tend resume [RUN_ID]`: continue a halted, failed, interrupted or killed run from its cursor.
 * Hosts already converged are not converged again; the rest follow in the frozen batch order.
 * Refuses (exit 5) when an input changed since the plan was frozen, unless --replan.
 */
import { existsSync } from 'node:fs'
import { ConfigError, type Diagnostic } from '../../errors.js'
import { changedInputs, freezePlan, isLegacyExtraVars, maskedExtraVar, staleFiles, type FrozenPlan, type InputChange } from '../../rollout/plan.js'
import { extraVarsChanges, parseExtraVars, recordExtraVars } from '../extra-vars.js'
import { convergedHosts } from '../../history/record.js'
import { stateDirOf } from '../../state/dir.js'
import { replacePlan, reopenRun, unfinishedRuns } from '../../state/run-progress.js'
import { getRun, isCheckRun, runHosts, type RunRecord } from '../../state/runs.js'
import { StateStore } from '../../state/store.js'
import type { ResumeFlags } from '../flags.js'
import { resolveLimit } from '../limit.js'
import { loadInputs } from '../load-inputs.js'
import { controller, executeRun, markPending } from '../recorded-run.js'
import { resumeCommandOf } from '../../state/dir.js'
import { UsageError } from '../report-error.js'
import { openQueueRun, resumableError } from '../queue-run.js'
import { controllerAlive } from '../controller-alive.js'

function pickRun(store: StateStore, id: string | undefined): RunRecord {
  if (id === undefined) {
    const latest = unfinishedRuns(store, (run) => !controllerAlive(run))[0]
    if (latest === undefined) throw new UsageError(`no unfinished run in ${store.dir} (tend runs lists them)`)
    return latest
  }
  const run = getRun(store, id)
  if (run === undefined) throw new UsageError(`no run ${id} in ${store.dir} (tend runs lists them)`)
  if (run.kind === 'watch') throw new UsageError(`run ${id} is a tend watch: there is nothing to resume (start tend watch again; it converges every host each interval)`)
  if (isCheckRun(run)) throw new UsageError(`run ${id} was a --check run: it changed nothing, so there is nothing to resume`)
  if (run.status === 'converged') throw new UsageError(`run ${id} converged: there is nothing to resume`)
  if (run.status === 'running' && controllerAlive(run)) throw new UsageError(`run ${id} is still running (controller ${run.controller}, pid ${run.pid})`)
  return run
}

function refuse(runId: string, changes: readonly InputChange[]): never {
  const diagnostics: Diagnostic[] = changes.map((change) => ({
    file: change.path,
    line: 0, column: 0,
    message: `${change.what} since run ${runId} froze its plan`,
    hint: `check the change, then \`tend resume ${runId} --replan\` to go on with it`,
  }))
  throw new ConfigError(diagnostics)
}

export async function resumeCommand(runIdArg: string | undefined, flags: ResumeFlags): Promise<number> {
  const store = StateStore.open(stateDirOf(flags.stateDir))
  let queue: Awaited<ReturnType<typeof openQueueRun>>
  try {
    const run = pickRun(store, runIdArg)
    const frozen = run.plan as FrozenPlan
    // Relative paths of the original command line (@FILE, --limit @FILE) resolve where it ran.
    if (existsSync(frozen.cwd)) process.chdir(frozen.cwd)
    const stale = staleFiles(frozen)
    if (stale.length > 0 && flags.replan !== true) refuse(run.id, stale)
    const { options } = frozen
    const recorded = options.extraVars
    const given = flags.extraVars ?? []
    // A plan frozen by an older tend kept the -e as given: they are used when none are given now.
    const args = isLegacyExtraVars(recorded) && given.length === 0 ? recorded : given
    const digest = (name: string, value: unknown) => store.digest(name, value)
    // Checked before the playbook is loaded: a missing -e is named as such, not as an undefined variable.
    const differs = isLegacyExtraVars(recorded) ? [] : extraVarsChanges(run.id, recorded, await parseExtraVars(args), digest)
    if (differs.length > 0 && flags.replan !== true) throw new ConfigError(differs)
    const { playbook, inventory, extraVars } = await loadInputs(frozen.playbook, options.inventory, args)
    const limit = options.limit === undefined ? undefined : await resolveLimit(inventory, options.limit)
    const plan = freezePlan(playbook, inventory, limit, { ...options, extraVars: recordExtraVars(args, extraVars, digest) }, false)
    const changed = changedInputs(frozen, plan)
    if (changed.length > 0 && flags.replan !== true) refuse(run.id, changed)
    // An older plan's -e values in clear are replaced by digests as soon as the run goes on.
    if (flags.replan === true || isLegacyExtraVars(recorded)) replacePlan(store, run.id, plan)
    if (isLegacyExtraVars(recorded)) store.scrub()
    const converged = convergedHosts(runHosts(store, run.id))
    // --queue: connected before the run is reopened, so an unreachable Redis leaves it as it was.
    queue = await openQueueRun(flags, playbook, run.id)
    reopenRun(store, run.id, controller())
    markPending(store, run.id, plan)
    return await executeRun({
      store, runId: run.id, plan, playbook, inventory, extraVars, limit, json: flags.json === true,
      waitLockSeconds: flags.waitLock ?? 0, resume: { converged },
      ...(queue !== undefined && { executor: queue.executor }),
    })
  } catch (error) {
    if (store.db.open) store.close()
    throw resumableError(error, resumeCommandOf(runIdArg ?? '', store.dir, process.env, flags.extraVars?.map(maskedExtraVar) ?? []).trimEnd())
  } finally {
    await queue?.close()
  }
}
