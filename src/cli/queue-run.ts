/** `tend run --queue`: the flags checked, the playbook checked for the queue, the controller opened. */
import { ConfigError } from '../errors.js'
import { QueueUnavailableError } from '../queue/errors.js'
import type { Playbook } from '../playbook/model.js'
import { UsageError } from './report-error.js'
import { queueUrlOf, type QueueUrlFlags } from './queue-url.js'

export interface QueueFlags extends QueueUrlFlags {
  readonly maxHostsInFlight?: number
  readonly rate?: number
  /** --worker-wait, in ms. */
  readonly workerWait?: number
}

export async function openQueueRun(flags: QueueFlags, playbook: Playbook, runId: string) {
  const url = queueUrlOf(flags, false)
  if (url === undefined) {
    if (flags.maxHostsInFlight !== undefined || flags.rate !== undefined || flags.workerWait !== undefined) {
      throw new UsageError('--max-hosts-in-flight, --rate and --worker-wait are about the queue: give them with --queue URL')
    }
    return undefined
  }
  // Loaded only with --queue: a local run never loads BullMQ or ioredis.
  const [{ parseQueueUrl }, { queueProblems }, { openController }] = await Promise.all([
    import('../queue/url.js'), import('../queue/files.js'), import('../queue/controller.js'),
  ])
  const endpoint = parseQueueUrl(url)
  const problems = queueProblems(playbook)
  if (problems.length > 0) throw new ConfigError(problems)
  const controller = await openController({
    endpoint, runId,
    ...(flags.maxHostsInFlight !== undefined && { maxHostsInFlight: flags.maxHostsInFlight }),
    ...(flags.rate !== undefined && { rate: flags.rate }),
    ...(flags.workerWait !== undefined && { workerWaitMs: flags.workerWait }),
  })
  if (controller.workers === 0) {
    process.stderr.write(`tend: no worker is connected to ${endpoint.display} yet; hosts wait until one starts (tend worker --queue URL)\n`)
  }
  return controller
}

/** Redis lost mid-run: the run is recorded as unfinished, so the hint names the command that goes on. */
export function resumableError(error: unknown, resumeCommand: string): unknown {
  if (!(error instanceof QueueUnavailableError) || error.message.startsWith('cannot reach')) return error
  return new QueueUnavailableError(error.message, `hosts already handed to workers finish there; nothing else was started. Once Redis is back: ${resumeCommand} --queue URL`)
}
