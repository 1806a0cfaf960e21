/**
 * Where the queue's URL comes from: `--queue URL`, a bare `--queue` with `$TEND_QUEUE_URL`, or
 * `--queue-url-file PATH` (a file only its owner can read). The last two keep a Redis password out
 * of `ps` and shell history. A bare TEND_QUEUE_URL does not turn a local `tend run` into a
 * distributed one: a shell that exports it for `tend worker` must not change what `tend run` does.
 */
import { readFileSync, statSync } from 'node:fs'
import { QueueUrlError } from '../queue/errors.js'

export interface QueueUrlFlags {
  readonly queue?: string | true
  readonly queueUrlFile?: string
}

function fromFile(path: string): string {
  let mode: number
  try {
    const stats = statSync(path)
    if (!stats.isFile()) throw new QueueUrlError(`--queue-url-file ${path}: not a regular file`)
    mode = stats.mode & 0o777
  } catch (error) {
    if (error instanceof QueueUrlError) throw error
    throw new QueueUrlError(`--queue-url-file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
  }
  if ((mode & 0o077) !== 0) {
    throw new QueueUrlError(`--queue-url-file ${path}: its mode is ${mode.toString(8).padStart(4, '0')}, so others may read the password in it; \`chmod 600 ${path}\`, then try again`)
  }
  const url = readFileSync(path, 'utf8').trim()
  if (url === '') throw new QueueUrlError(`--queue-url-file ${path}: the file is empty (expected one line: redis://[user:pass@]HOST:PORT[/DB])`)
  return url
}

/**
 * The queue URL, or undefined when no queue was asked for (and none is `required`: a worker or
 * `tend queue status` cannot do without one).
 */
export function queueUrlOf(flags: QueueUrlFlags, required: boolean, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof flags.queue === 'string' && flags.queueUrlFile !== undefined) {
    throw new QueueUrlError('--queue URL and --queue-url-file both name the queue: give one')
  }
  if (typeof flags.queue === 'string') return flags.queue
  if (flags.queueUrlFile !== undefined) return fromFile(flags.queueUrlFile)
  if (flags.queue !== true && !required) return undefined
  const fromEnv = env.TEND_QUEUE_URL
  if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv.trim()
  throw new QueueUrlError('--queue: no URL: give --queue URL, --queue-url-file FILE (mode 0600), or set TEND_QUEUE_URL')
}
