/**
 * `tend worker --queue URL`: converges host jobs until SIGTERM/SIGINT. The first signal stops
 * taking jobs and lets the jobs in hand finish (every running change completes), then exits 0;
 * a second one exits at once (BullMQ hands the unfinished job to another worker once its lock expires).
 */
import { ExitCode } from '../../exit-codes.js'
import { workerMetrics } from '../../history/metrics.js'
import { listen, route } from '../../http/listen.js'
import { hostsQueue } from '../../queue/status.js'
import { parseQueueUrl } from '../../queue/url.js'
import { queueUrlOf } from '../queue-url.js'
import { startWorker } from '../../queue/worker.js'
import { connectFactory } from '../connect.js'
import type { WorkerFlags } from '../flags.js'
import { untilStopSignal } from '../signals.js'

const log = (line: string) => process.stderr.write(`tend worker: ${line}\n`)

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const endpoint = parseQueueUrl(queueUrlOf(flags, true)!)
  const where = flags.metrics
  const counts = where === undefined ? undefined : hostsQueue(endpoint)
  const metrics = counts === undefined ? undefined : workerMetrics(() => counts.getJobCounts())
  const server = where === undefined || metrics === undefined ? undefined : await listen(where, [
    route('GET', '/metrics', async (_, res) => {
      const text = await metrics.registry.metrics()
      res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text)
    }),
    route('GET', '/healthz', (_, res) => void res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok\n')),
  ])
  if (server !== undefined) log(`metrics on ${server.url}/metrics`)
  const worker = await startWorker({
    endpoint,
    concurrency: flags.concurrency,
    ...(flags.name !== undefined && { name: flags.name }),
    stallSeconds: flags.stallSeconds,
    connectFor: (signal) => connectFactory({ acceptNewHostKeys: flags.acceptNewHostKeys === true, signal }),
    log,
    ...(metrics !== undefined && { metrics }),
  })
  const signalName = await untilStopSignal(() => {
    log('quitting now; unfinished jobs go to another worker once their lock expires')
    process.exit(ExitCode.interrupted)
  })
  log(`${signalName}: taking no new job; finishing the jobs in hand (${signalName} again to quit at once)`)
  await worker.stop()
  await server?.close()
  await counts?.close().catch(() => undefined)
  log(`worker ${worker.name} stopped`)
  return ExitCode.ok
}
