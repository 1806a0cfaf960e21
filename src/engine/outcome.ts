import { ConfigError, ProbeError, formatDiagnostic } from '../errors.js'
import { CommandTimeoutError, UnreachableError } from '../transport/types.js'
import type { PlannedChange, TaskStatus } from './events.js'
import { HostBusyError, HostLockError } from './host-lock.js'

/** How one task ended on one host: what its task-end event says. */
export interface TaskOutcome {
  readonly status: TaskStatus
  readonly changes: readonly PlannedChange[]
  readonly message?: string
  /** What `register:` binds (also the task-end event's result unless no_log). */
  readonly result: Readonly<Record<string, unknown>>
}

/** A failure as a value: exceptions from modules and transports become outcomes here. */
export function outcomeOfError(error: unknown): TaskOutcome {
  const failed = (message: string): TaskOutcome => ({ status: 'failed', changes: [], message, result: { changed: false, failed: true, msg: message } })
  if (error instanceof UnreachableError) {
    const message = [`${error.reason}: ${error.message}`, error.hint].filter(Boolean).join('\nhint: ')
    return { status: 'unreachable', changes: [], message, result: { changed: false, unreachable: true, msg: message } }
  }
  if (error instanceof ConfigError) return failed(error.diagnostics.map(formatDiagnostic).join('\n\n'))
  if (error instanceof ProbeError) return failed([error.message, error.hint].filter(Boolean).join('\nhint: '))
  if (error instanceof CommandTimeoutError) return failed(error.message)
  if (error instanceof HostBusyError) return failed(`${error.message}\nhint: tend converges a host from one process at a time; wait for it, or give --wait-lock SECONDS`)
  if (error instanceof HostLockError) return failed(error.message)
  return failed(`internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`)
}

export function skipped(message: string): TaskOutcome {
  return { status: 'skipped', changes: [], message, result: { changed: false, failed: false, skipped: true, msg: message } }
}

/** A task with `no_log`: no result, no change details, no message that might quote a secret. */
export function hidden(outcome: TaskOutcome): TaskOutcome {
  return {
    status: outcome.status,
    changes: outcome.changes.map(() => ({ summary: 'change hidden (no_log)' })),
    message: 'output hidden (no_log)',
    result: outcome.result,
  }
}
