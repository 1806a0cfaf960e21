/**
 * Every Prometheus metric tend exports, in one module (prom-client, a registry per process).
 * Names follow Prometheus conventions: base units (_seconds), counters end in _total, and each
 * name has one meaning wherever it is served:
 * - the watch's host-cycles (`tend watch --metrics`), fed by cycle-end events;
 * - the queue's jobs (`tend_queue_jobs`, read from Redis at each scrape), on the watch controller
 *   and on the worker alike;
 * - a worker's own jobs (`tend worker --metrics`): `tend_worker_jobs_total` and friends;
 * - on a queue-backed watch, the host-cycles each worker ran for it: `tend_worker_host_cycles_total`.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { projectRoot } from '../project-root.js'
import type { CycleChange, CycleOutcome } from '../state/cycles.js'

const OUTCOMES: readonly CycleOutcome[] = ['ok', 'corrected', 'failed', 'unreachable', 'busy']

function tendVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : 'unknown'
  } catch {
    return 'unknown'
  }
}

/** What every tend registry carries: the process's own metrics (`process_*`, `nodejs_*`) and `tend_build_info`. */
function processRegistry(): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  // Gauges named like counters (promtool's lint refuses them); `nodejs_active_handles` and
  // `nodejs_active_requests`, by type, say the same.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name)
  new Gauge({
    name: 'tend_build_info', help: 'Always 1; the labels say which tend and node this process runs',
    labelNames: ['version', 'node'], registers: [registry],
  }).set({ version: tendVersion(), node: process.versions.node }, 1)
  return registry
}

/** What the metrics read of a cycle-end event. */
export interface ObservedCycle {
  readonly host: string
  readonly outcome: CycleOutcome
  /** ms since the epoch. */
  readonly startedAt: number
  readonly durationMs: number
  readonly changes: readonly CycleChange[]
}

export class WatchMetrics {
  readonly registry = processRegistry()
  private readonly lastRun = new Gauge({ name: 'tend_host_last_run_timestamp_seconds', help: 'When the last cycle of the host ended (unix seconds)', labelNames: ['host'], registers: [this.registry] })
  private readonly lastSuccess = new Gauge({ name: 'tend_host_last_success_timestamp_seconds', help: 'When a cycle of the host last ended ok or corrected (unix seconds)', labelNames: ['host'], registers: [this.registry] })
  private readonly up = new Gauge({ name: 'tend_host_up', help: '1 when the last cycle reached the host', labelNames: ['host'], registers: [this.registry] })
  private readonly converged = new Gauge({ name: 'tend_host_converged', help: '1 when the last cycle ended ok or corrected', labelNames: ['host'], registers: [this.registry] })
  // By the task's index and module, not its name: a name is free text (often templated), a new
  // series per release; `2.5` (play 2, fifth task) and `file` are fixed words.
  private readonly corrected = new Counter({ name: 'tend_drift_corrected_total', help: 'Cycles in which a task (its index in the playbook, and its module) corrected drift, per host', labelNames: ['host', 'task', 'module'], registers: [this.registry] })
  private readonly reloads = new Counter({ name: 'tend_watch_reloads_total', help: 'SIGHUP reloads, by result (applied, or refused: the old configuration stays)', labelNames: ['result'], registers: [this.registry] })
  private readonly runs = new Counter({ name: 'tend_host_runs_total', help: 'Host-cycles by outcome', labelNames: ['host', 'outcome'], registers: [this.registry] })
  private readonly duration = new Histogram({
    name: 'tend_host_run_duration_seconds', help: 'Duration of host-cycles',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], registers: [this.registry],
  })

  observe(end: ObservedCycle): void {
    const host = { host: end.host }
    const endedSeconds = (end.startedAt + end.durationMs) / 1000
    this.runs.inc({ ...host, outcome: end.outcome })
    this.duration.observe(end.durationMs / 1000)
    // A busy host was not checked: what it was last seen as still stands.
    if (end.outcome === 'busy') return
    this.lastRun.set(host, endedSeconds)
    this.up.set(host, end.outcome === 'unreachable' ? 0 : 1)
    const good = end.outcome === 'ok' || end.outcome === 'corrected'
    if (end.outcome !== 'unreachable') this.converged.set(host, good ? 1 : 0)
    if (good) this.lastSuccess.set(host, endedSeconds)
    if (end.outcome !== 'corrected') return
    const tasks = new Map(end.changes.map((c) => [`${c.index ?? '?'} ${c.module ?? 'unknown'}`, { task: c.index ?? 'unknown', module: c.module ?? 'unknown' }]))
    for (const labels of tasks.values()) this.corrected.inc({ ...host, ...labels })
  }

  /**
   * Every outcome series of these hosts exists from the start, at 0: an alert on
   * `increase(tend_host_runs_total{outcome="failed"}[…]) > 0` then fires on a host's first failure
   * (a series that appears at 1 has no increase to see).
   */
  know(hosts: readonly string[]): void {
    for (const host of hosts) for (const outcome of OUTCOMES) this.runs.inc({ host, outcome }, 0)
  }

  reloaded(applied: boolean): void {
    this.reloads.inc({ result: applied ? 'applied' : 'refused' })
  }

  /** Hosts gone from the inventory after a reload stop being reported. */
  forget(host: string): void {
    for (const metric of [this.lastRun, this.lastSuccess, this.up, this.converged]) metric.remove({ host })
    for (const outcome of OUTCOMES) this.runs.remove({ host, outcome })
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}

export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'completed', 'failed'] as const

/** `tend_queue_jobs{state}`: `counts` reads the hosts queue's job counts (BullMQ getJobCounts) at each scrape. */
export function queueJobsGauge(registry: Registry, counts: () => Promise<Readonly<Record<string, number>>>): void {
  new Gauge({
    name: 'tend_queue_jobs', help: 'Host jobs in the queue, by state', labelNames: ['state'], registers: [registry],
    async collect() {
      const now = await counts().catch(() => undefined)
      if (now === undefined) return
      for (const state of JOB_STATES) this.set({ state }, now[state] ?? 0)
    },
  })
}

/** On a queue-backed watch controller: the host-cycles each worker ran for this watch, by cycle outcome. */
export function workerHostCycles(registry: Registry): (worker: string, outcome: CycleOutcome) => void {
  const cycles = new Counter({
    name: 'tend_worker_host_cycles_total', help: 'Host-cycles of this watch finished by each worker, by outcome',
    labelNames: ['worker', 'outcome'], registers: [registry],
  })
  return (worker, outcome) => cycles.inc({ worker, outcome })
}

const WORKER_JOB_RESULTS = ['ok', 'failed', 'unreachable', 'error'] as const
export type WorkerJobResult = (typeof WORKER_JOB_RESULTS)[number]

export interface WorkerMetrics {
  readonly registry: Registry
  /** The worker's result series, at 0 from its start (see WatchMetrics.know). */
  know(worker: string): void
  started(worker: string): void
  finished(worker: string, result: WorkerJobResult, seconds: number): void
}

/** A worker's own metrics (`tend worker --metrics`): its jobs, and the queue's. */
export function workerMetrics(counts: () => Promise<Readonly<Record<string, number>>>): WorkerMetrics {
  const registry = processRegistry()
  queueJobsGauge(registry, counts)
  const jobs = new Counter({ name: 'tend_worker_jobs_total', help: 'Host jobs this worker finished, by result', labelNames: ['worker', 'result'], registers: [registry] })
  const active = new Gauge({ name: 'tend_worker_jobs_active', help: 'Host jobs this worker is converging now', labelNames: ['worker'], registers: [registry] })
  const seconds = new Histogram({
    name: 'tend_worker_job_duration_seconds', help: 'Time to converge one host job', labelNames: ['worker'], registers: [registry],
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300],
  })
  return {
    registry,
    know(worker) {
      for (const result of WORKER_JOB_RESULTS) jobs.inc({ worker, result }, 0)
      active.set({ worker }, 0)
    },
    started: (worker) => active.inc({ worker }),
    finished(worker, result, took) {
      active.dec({ worker })
      jobs.inc({ worker, result })
      seconds.observe({ worker }, took)
    },
  }
}
