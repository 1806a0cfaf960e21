import type { Vars } from '../playbook/model.js'
import type { RunContext } from './types.js'

/** Where one host stands in a play. */
export type HostState = 'ok' | 'failed' | 'unreachable'

export function registeredOf(run: RunContext, host: string): Record<string, unknown> {
  let vars = run.registered.get(host)
  if (!vars) run.registered.set(host, (vars = {}))
  return vars
}

/** Per host's registered variables: the names whose values came from the host (taint). */
const hostData = new WeakMap<object, Set<string>>()

/**
 * The names of a host's variables that hold host data: registered results, gathered facts, and
 * set_fact values computed from those. They may be printed or compared, never pick a controller file.
 */
export function hostDataOf(run: RunContext, host: string): Set<string> {
  const registered = registeredOf(run, host)
  let names = hostData.get(registered)
  if (!names) hostData.set(registered, (names = new Set(['hostvars'])))
  return names
}

export type { Vars }
