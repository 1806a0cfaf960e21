/**
 * Errors of the queue that reach the user. Kept free of BullMQ/ioredis imports so the CLI's one
 * error reporter can name them without loading Redis clients.
 */

/** Redis cannot be reached (at start) or went away (mid-run): the run stops, nothing is left half-done. */
export class QueueUnavailableError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message)
    this.name = 'QueueUnavailableError'
  }
}

/** A --queue URL that is not redis://[user:pass@]HOST:PORT[/DB] or rediss://…. */
export class QueueUrlError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'QueueUrlError'
  }
}
