/** `tend queue status --queue URL`: workers, job counts, waiting/active/failed hosts per run. */
import { ExitCode } from '../../exit-codes.js'
import { formatStatus, readStatus } from '../../queue/status.js'
import { parseQueueUrl } from '../../queue/url.js'
import { queueUrlOf } from '../queue-url.js'
import type { QueueStatusFlags } from '../flags.js'

export async function queueStatusCommand(flags: QueueStatusFlags): Promise<number> {
  const status = await readStatus(parseQueueUrl(queueUrlOf(flags, true)!))
  process.stdout.write(flags.json === true ? JSON.stringify(status) + '\n' : formatStatus(status))
  return ExitCode.ok
}
