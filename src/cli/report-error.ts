/** The one place an error becomes an exit code and a message on stderr. */
import { ConfigError, formatDiagnostic } from '../errors.js'
import { ExitCode } from '../exit-codes.js'
import { QueueUnavailableError, QueueUrlError } from '../queue/errors.js'
import { storeErrorOf } from '../state/store-error.js'
import { visible } from './render/visible.js'

/** A command line that names something unusable (e.g. an unknown schema kind). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export function exitCodeForError(error: unknown): number {
  if (storeErrorOf(error) !== undefined) return ExitCode.invalidInput
  if (error instanceof ConfigError || error instanceof UsageError || error instanceof QueueUrlError) return ExitCode.invalidInput
  if (error instanceof QueueUnavailableError) return ExitCode.queueUnavailable
  return ExitCode.internal
}

export function reportError(error: unknown): void {
  if (error instanceof ConfigError) {
    const count = error.diagnostics.length
    // A diagnostic quotes the file's line and what a script printed: shown, never obeyed.
    process.stderr.write(visible(error.diagnostics.map(formatDiagnostic).join('\n\n')) + '\n')
    process.stderr.write(`\n${count} problem${count === 1 ? '' : 's'} found; no host was contacted.\n`)
    return
  }
  if (error instanceof UsageError || error instanceof QueueUrlError) {
    process.stderr.write(`error: ${error.message}\n`)
    return
  }
  const store = storeErrorOf(error)
  if (store !== undefined) {
    process.stderr.write(`tend: the state store ${store.file} ${store.problem}\nhint: ${store.hint}\n`)
    return
  }
  if (error instanceof QueueUnavailableError) {
    process.stderr.write(visible(`tend: ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`))
    return
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  process.stderr.write(`tend: unexpected error: ${message}\n`)
  if (process.env.TEND_DEBUG === '1' && error instanceof Error && error.stack) {
    process.stderr.write(error.stack + '\n')
  } else {
    process.stderr.write('(set TEND_DEBUG=1 for the stack trace)\n')
  }
}
