/**
 * The queue's Prometheus metrics (prom-client): `tend_queue_jobs{state}` read from Redis at each
 * scrape, and counters of this worker's jobs. `tend worker --metrics HOST:PORT` serves them.
 */
import { createServer, type Server } from 'node:http'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'

export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const

export interface WorkerMetrics {
  readonly registry: Registry
  started(worker: string): void
  finished(worker: string, result: 'ok' | 'failed' | 'unreachable' | 'error', seconds: number): void
}

/** `counts` reads the hosts queue's job counts (BullMQ getJobCounts) when Prometheus scrapes. */
export function queueMetrics(counts: () => Promise<Readonly<Record<string, number>>>): WorkerMetrics {
  const registry = new Registry()
  new Gauge({
    name: 'tend_queue_jobs', help: 'Host jobs in the queue, by state', labelNames: ['state'], registers: [registry],
    async collect() {
      const now = await counts().catch(() => undefined)
      if (now === undefined) return
      for (const state of JOB_STATES) this.set({ state }, now[state] ?? 0)
    },
  })
  const jobs = new Counter({ name: 'tend_worker_jobs_total', help: 'Host jobs this worker finished, by result', labelNames: ['worker', 'result'], registers: [registry] })
  const active = new Gauge({ name: 'tend_worker_jobs_active', help: 'Host jobs this worker is converging now', labelNames: ['worker'], registers: [registry] })
  const seconds = new Histogram({
    name: 'tend_worker_job_duration_seconds', help: 'Time to converge one host job', labelNames: ['worker'], registers: [registry],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  })
  return {
    registry,
    started: (worker) => active.inc({ worker }),
    finished(worker, result, took) {
      active.dec({ worker })
      jobs.inc({ worker, result })
      seconds.observe({ worker }, took)
    },
  }
}

/** Serves GET /metrics on HOST:PORT; resolves once listening. */
export function serveMetrics(registry: Registry, listen: { host: string; port: number }): Promise<Server> {
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end('not found; try /metrics\n')
      return
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500).end(String(error)),
    )
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(listen.port, listen.host, () => resolve(server))
  })
}
