import type { ModuleTask } from '../playbook/model.js'
import type { TaskOutcome } from './outcome.js'
import type { HostEnv, RunOnceSlot } from './types.js'

/**
 * Ansible's run_once: the first host of a batch to reach the task runs it; the others wait for its
 * outcome and take it as theirs (registered result, facts, failure) without an event of their own,
 * so the recap counts the task once, on the host that ran it, as Ansible's does. The slots live in
 * the RunContext: one process's run (with --queue, run_once is refused: queue/files.ts).
 */
export function runOnce(env: HostEnv, task: ModuleTask): { first: boolean; outcome: Promise<TaskOutcome>; settle(outcome: TaskOutcome): void } {
  // Batches of one run never share a host, so their names key the batch.
  const batch = env.place.batchHosts.join('\u0000')
  let tasks = env.run.runOnce.get(batch)
  if (!tasks) env.run.runOnce.set(batch, (tasks = new Map()))
  const existing = tasks.get(task)
  if (existing) return { first: false, ...existing }
  let settle!: (outcome: TaskOutcome) => void
  const outcome = new Promise<TaskOutcome>((resolve) => (settle = resolve))
  const slot: RunOnceSlot = { outcome, settle }
  tasks.set(task, slot)
  return { first: true, ...slot }
}
