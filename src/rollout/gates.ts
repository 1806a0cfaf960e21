/** A play's gates: the tasks a recheck re-runs on hosts already converged. */
import { modules } from '../modules/index.js'
import type { ModuleTask, Play } from '../playbook/model.js'

/** Top-level tasks whose module has no `apply` (http, journal, stable): they observe, never change. */
export function gateTasks(play: Play): readonly ModuleTask[] {
  return play.tasks.filter((t): t is ModuleTask => t.type === 'module' && modules[t.module]?.module.apply === undefined)
}

export function gateNames(play: Play): readonly string[] {
  return gateTasks(play).map((t) => t.name ?? t.module)
}

/** The play reduced to its gates: no handlers, no Ansible stop rules (the rollout decides). */
export function gatePlay(play: Play): Play {
  const { maxFailPercentage: _, ...rest } = play
  return { ...rest, tasks: gateTasks(play), handlers: [], anyErrorsFatal: false, forceHandlers: false }
}
