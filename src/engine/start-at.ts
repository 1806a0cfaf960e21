import type { ModuleTask } from '../playbook/model.js'
import type { RunContext } from './types.js'

/**
 * --start-at-task: per host, tasks are passed over (no event, as in Ansible) until the first one
 * whose name equals the given one or matches it as a glob; from there on everything runs,
 * through later plays too. Handlers are not tasks here.
 */
function globMatch(glob: string, name: string): boolean {
  const re = new RegExp(`^${glob.replace(/[.+^${}()|\\[\]]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')}$`)
  return re.test(name)
}

export function matchesTaskName(wanted: string, name: string | undefined): boolean {
  return name !== undefined && (name === wanted || globMatch(wanted, name))
}

/** Whether this task runs for this host, given --start-at-task. */
export function startReached(run: RunContext, host: string, task: ModuleTask): boolean {
  const wanted = run.options.startAtTask
  if (wanted === undefined) return true
  if (run.startReached.has(host)) return true
  if (!matchesTaskName(wanted, task.name)) return false
  run.startReached.add(host)
  return true
}
