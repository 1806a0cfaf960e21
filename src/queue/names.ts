/** Redis names of tend's queue: one key prefix, two queues, job ids without `:` (BullMQ forbids it). */

export const PREFIX = 'tend'
/** Host-convergence jobs: what workers take. */
export const HOSTS_QUEUE = 'tend-hosts'
/** One parent job per batch (a BullMQ flow): carries what the batch's hosts share; no worker takes it. */
export const BATCHES_QUEUE = 'tend-batches'

/**
 * The fencing token of a run: the attempt (controller) that owns the run's jobs now. Set when a
 * controller opens, deleted when its run ends; a worker converges a host job only while the token
 * names the job's attempt, so a job left in Redis never changes a host outside the run that owns it.
 */
export const fenceKey = (runId: string): string => `${PREFIX}:fence:${runId}`

function checked(id: string): string {
  if (id.includes(':')) throw new Error(`internal: job id ${id} contains ':'`)
  return id
}

/**
 * `RUNID.ATTEMPT.SEQ`: the SEQ-th batch (counted over all plays) of one attempt at the run. A
 * resumed run keeps its id; ATTEMPT (random per controller process) keeps its jobs apart from the
 * earlier attempt's, which BullMQ still holds: adding an existing id would return the old result.
 */
export const batchJobId = (runId: string, attempt: string, seq: number): string => checked(`${runId}.${attempt}.${seq}`)

/** `RUNID.ATTEMPT.SEQ.N`: the N-th host of that batch (host names may hold `:`, e.g. IPv6; ids may not). */
export const hostJobId = (runId: string, attempt: string, seq: number, index: number): string => checked(`${runId}.${attempt}.${seq}.${index}`)
