/**
 * `tend worker --queue URL`: converges host jobs until SIGTERM/SIGINT. The first signal stops
 * taking jobs and lets the jobs in hand finish (every running change completes), then exits 0;
 * a second one exits at once (BullMQ hands the unfinished job to another worker once its lock expires).
 */
import { ExitCode } from '../../exit-codes.js'
import { queueMetrics, serveMetrics } from '../../queue/metrics.js'
import { hostsQueue } from '../../queue/status.js'
import { parseQueueUrl } from '../../queue/url.js'
import { startWorker } from '../../queue/worker.js'
import { connectFactory } from '../connect.js'
import type { WorkerFlags } from '../flags.js'
import { UsageError } from '../report-error.js'

function listenAddress(text: string): { host: string; port: number } {
  const at = text.lastIndexOf(':')
  const port = Number(text.slice(at + 1))
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--metrics ${text}: expected HOST:PORT`)
  return { host: text.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port }
}

const log = (line: string) => process.stderr.write(`tend worker: ${line}\n`)

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const endpoint = parseQueueUrl(flags.queue)
  const listen = flags.metrics === undefined ? undefined : listenAddress(flags.metrics)
  const counts = listen === undefined ? undefined : hostsQueue(endpoint)
  const metrics = counts === undefined ? undefined : queueMetrics(() => counts.getJobCounts())
  const server = listen === undefined || metrics === undefined ? undefined : await serveMetrics(metrics.registry, listen)
  if (server !== undefined && listen !== undefined) log(`metrics on http://${listen.host}:${listen.port}/metrics`)
  const worker = await startWorker({
    endpoint,
    concurrency: flags.concurrency,
    ...(flags.name !== undefined && { name: flags.name }),
    stallSeconds: flags.stallSeconds,
    connectFor: (signal) => connectFactory({ acceptNewHostKeys: flags.acceptNewHostKeys === true, signal }),
    log,
    ...(metrics !== undefined && { metrics }),
  })
  const signalName = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'))
    process.once('SIGINT', () => resolve('SIGINT'))
  })
  log(`${signalName}: taking no new job; finishing the jobs in hand (${signalName} again to quit at once)`)
  const again = () => {
    log('quitting now; unfinished jobs go to another worker once their lock expires')
    process.exit(ExitCode.interrupted)
  }
  process.once('SIGTERM', again)
  process.once('SIGINT', again)
  await worker.stop()
  server?.close()
  await counts?.close().catch(() => undefined)
  log(`worker ${worker.name} stopped`)
  return ExitCode.ok
}
