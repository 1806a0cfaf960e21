/** `tend queue status`: workers connected, job counts, and per run its waiting/active/failed hosts. */
import { Queue } from 'bullmq'
import type { HostJobData } from './job.js'
import { Liveness } from './liveness.js'
import { HOSTS_QUEUE, PREFIX } from './names.js'
import { connectionOptions, type RedisEndpoint } from './url.js'

const RUN_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const

export interface QueueStatus {
  readonly queue: string
  readonly workers: readonly { readonly name: string; readonly address: string; readonly idleSeconds: number }[]
  readonly jobs: Readonly<Record<string, number>>
  readonly runs: readonly { readonly runId: string; readonly waiting: number; readonly active: number; readonly failed: number }[]
  readonly maxHostsInFlight: number | null
  readonly rateLimit: { readonly max: number; readonly durationMs: number } | null
}

/** The hosts queue, for reading: status and the worker's metrics. */
export function hostsQueue(endpoint: RedisEndpoint): Queue<HostJobData> {
  const queue = new Queue<HostJobData>(HOSTS_QUEUE, { connection: connectionOptions(endpoint), prefix: PREFIX, skipMetasUpdate: true })
  queue.on('error', () => undefined)
  return queue
}

/** Worker name from its Redis client name `PREFIX:BASE64(queue):w:NAME`. */
function workerName(client: Readonly<Record<string, string>>): string {
  const raw = client.rawname ?? ''
  const at = raw.indexOf(':w:')
  return at < 0 ? (client.name ?? '?') : raw.slice(at + 3)
}

export async function readStatus(endpoint: RedisEndpoint): Promise<QueueStatus> {
  const live = await Liveness.check(endpoint)
  const queue = hostsQueue(endpoint)
  try {
    return await live.race((async () => {
      const [clients, jobs, concurrency, rate] = await Promise.all([
        queue.getWorkers(), queue.getJobCounts(), queue.getGlobalConcurrency(), queue.getGlobalRateLimit(),
      ])
      const runs = new Map<string, { runId: string; waiting: number; active: number; failed: number }>()
      for (const state of RUN_STATES) {
        for (const job of await queue.getJobs(state)) {
          const data = job.data as { runId?: string; watchKey?: string } | undefined
          const runId = data?.runId ?? (data?.watchKey !== undefined ? `watch ${data.watchKey}` : '?')
          const row = runs.get(runId) ?? { runId, waiting: 0, active: 0, failed: 0 }
          const column = state === 'active' ? 'active' : state === 'failed' ? 'failed' : 'waiting'
          row[column]++
          runs.set(runId, row)
        }
      }
      return {
        queue: endpoint.display,
        workers: clients.map((c) => ({ name: workerName(c), address: c.addr ?? '?', idleSeconds: Number(c.idle ?? 0) })),
        jobs,
        runs: [...runs.values()].sort((a, b) => a.runId.localeCompare(b.runId)),
        maxHostsInFlight: concurrency,
        rateLimit: rate === null || rate === undefined ? null : { max: rate.max, durationMs: rate.duration },
      }
    })())
  } finally {
    live.close()
    await queue.close().catch(() => undefined)
  }
}

export function formatStatus(status: QueueStatus): string {
  const lines = [`queue ${status.queue}`]
  lines.push(`workers: ${status.workers.length}`)
  for (const w of status.workers) lines.push(`  ${w.name}  ${w.address}  idle ${w.idleSeconds} s`)
  lines.push(`jobs: ${Object.entries(status.jobs).map(([state, n]) => `${state}=${n}`).join(' ')}`)
  if (status.maxHostsInFlight !== null) lines.push(`max hosts in flight: ${status.maxHostsInFlight}`)
  if (status.rateLimit !== null) lines.push(`rate limit: ${status.rateLimit.max} per ${status.rateLimit.durationMs} ms`)
  lines.push(status.runs.length === 0 ? 'runs: none with waiting, active or failed jobs' : 'runs:')
  for (const r of status.runs) lines.push(`  ${r.runId}  waiting=${r.waiting} active=${r.active} failed=${r.failed}`)
  return lines.join('\n') + '\n'
}
