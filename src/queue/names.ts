/** Redis names of tend's queue: one key prefix, two queues, job ids without `:` (BullMQ forbids it). */

export const PREFIX = 'tend'
/** Host-convergence jobs: what workers take. */
export const HOSTS_QUEUE = 'tend-hosts'
/** One parent job per batch (a BullMQ flow): carries what the batch's hosts share; no worker takes it. */
export const BATCHES_QUEUE = 'tend-batches'

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
