/**
 * Rollout decisions, pure (no I/O, no clock): how many hosts may go down in the whole rollout,
 * and after each batch whether to go on, pause first, or halt. The engine's batch loop
 * (engine/play.ts) feeds it outcomes and does what it says; tests drive it without hosts.
 * Learned from Argo Rollouts' step controller and Nomad's `update` block: the budget counts the
 * whole rollout, not one batch (GitLab delivery#951 drained too many nodes counting per batch).
 */
import type { RolloutPolicy } from '../playbook/model.js'

/** Hosts allowed down in the whole rollout; undefined means no budget (Ansible's behaviour). */
export function budgetOf(policy: RolloutPolicy | undefined, playHosts: number): number | undefined {
  const budget = policy?.errorBudget
  if (budget === undefined) return undefined
  if (typeof budget === 'number') return budget
  return Math.floor((playHosts * Number.parseFloat(budget)) / 100)
}

/** Where the rollout stands after a batch (and its recheck, if any). */
export interface RolloutProgress {
  /** 1-based number of the batch just finished. */
  readonly batch: number
  readonly batches: number
  /** Hosts of the whole rollout that failed or were unreachable (this attempt). */
  readonly down: readonly string[]
  /** Hosts converged earlier that failed their gates on the recheck before the next batch. */
  readonly broken: readonly string[]
  /** Ansible's own stop for the play (max_fail_percentage, any_errors_fatal, a whole batch failed). */
  readonly playStopped?: string
}

export type Decision =
  | { readonly action: 'done' }
  | { readonly action: 'go'; readonly pauseSeconds: number }
  | { readonly action: 'halt'; readonly reason: string }

const hostList = (hosts: readonly string[]): string =>
  hosts.length <= 5 ? hosts.join(', ') : `${hosts.slice(0, 5).join(', ')}, … ${hosts.length - 5} more`

/** The budget in words, for batch lines and the recap: `1 of 2 used`. */
export function budgetText(allowed: number | undefined, used: number): string {
  return allowed === undefined ? `${used} down, no error budget` : `${used} of ${allowed} used`
}

/**
 * What comes after batch `progress.batch`: after the last batch, done; a recheck that found a broken
 * host halts; a budget exceeded halts; Ansible's stop halts; otherwise go on, after the pause.
 */
export function decide(policy: RolloutPolicy | undefined, playHosts: number, progress: RolloutProgress): Decision {
  const allowed = budgetOf(policy, playHosts)
  const down = new Set([...progress.down, ...progress.broken])
  // After the last batch nothing is left to protect: the recap tells the rest.
  if (progress.batch >= progress.batches) return { action: 'done' }
  if (progress.broken.length > 0) {
    return { action: 'halt', reason: `recheck: ${hostList(progress.broken)} broke since converged (error budget ${budgetText(allowed, down.size)})` }
  }
  if (allowed !== undefined && down.size > allowed) {
    return { action: 'halt', reason: `error budget exceeded: ${down.size} host${down.size === 1 ? '' : 's'} down (${hostList([...down])}), ${allowed} allowed` }
  }
  if (progress.playStopped !== undefined) return { action: 'halt', reason: progress.playStopped }
  return { action: 'go', pauseSeconds: policy?.pauseSeconds ?? 0 }
}

/** Whether a recheck runs before batch `next` (1-based): only between batches, with recheck on. */
export function recheckBefore(policy: RolloutPolicy | undefined, next: number): boolean {
  return policy?.recheck === true && next > 1
}
