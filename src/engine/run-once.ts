import type { ModuleTask } from '../playbook/model.js'
import type { TaskOutcome } from './outcome.js'
import type { HostEnv } from './types.js'

/**
 * Ansible's run_once: the first host of a batch to reach the task runs it; the others wait for its
 * outcome and take it as theirs (registered result, facts, failure) without an event of their own,
 * so the recap counts the task once, on the host that ran it, as Ansible's does.
 */
interface Slot {
  readonly outcome: Promise<TaskOutcome>
  settle(outcome: TaskOutcome): void
}

const slots = new WeakMap<readonly string[], Map<ModuleTask, Slot>>()

export function runOnce(env: HostEnv, task: ModuleTask): { first: boolean; outcome: Promise<TaskOutcome>; settle(outcome: TaskOutcome): void } {
  const batch = env.place.batchHosts
  let tasks = slots.get(batch)
  if (!tasks) slots.set(batch, (tasks = new Map()))
  const existing = tasks.get(task)
  if (existing) return { first: false, ...existing }
  let settle!: (outcome: TaskOutcome) => void
  const outcome = new Promise<TaskOutcome>((resolve) => (settle = resolve))
  const slot = { outcome, settle }
  tasks.set(task, slot)
  return { first: true, ...slot }
}
