/**
 * Prometheus metrics (prom-client, a registry of its own), fed by cycle-end events. Names follow
 * Prometheus conventions: base units (_seconds), counters end in _total.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { CycleEnd } from './events.js'

export class WatchMetrics {
  readonly registry = new Registry()
  private readonly lastRun = new Gauge({ name: 'tend_host_last_run_timestamp_seconds', help: 'When the last cycle of the host ended (unix seconds)', labelNames: ['host'], registers: [this.registry] })
  private readonly lastSuccess = new Gauge({ name: 'tend_host_last_success_timestamp_seconds', help: 'When a cycle of the host last ended ok or corrected (unix seconds)', labelNames: ['host'], registers: [this.registry] })
  private readonly up = new Gauge({ name: 'tend_host_up', help: '1 when the last cycle reached the host', labelNames: ['host'], registers: [this.registry] })
  private readonly converged = new Gauge({ name: 'tend_host_converged', help: '1 when the last cycle ended ok or corrected', labelNames: ['host'], registers: [this.registry] })
  private readonly corrected = new Counter({ name: 'tend_drift_corrected_total', help: 'Cycles in which a task corrected drift, per host and task', labelNames: ['host', 'task'], registers: [this.registry] })
  private readonly runs = new Counter({ name: 'tend_host_runs_total', help: 'Host-cycles by outcome', labelNames: ['host', 'outcome'], registers: [this.registry] })
  private readonly duration = new Histogram({
    name: 'tend_host_run_duration_seconds', help: 'Duration of host-cycles',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300], registers: [this.registry],
  })

  observe(end: CycleEnd): void {
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
    if (end.outcome === 'corrected') for (const task of new Set(end.changes.map((c) => c.task))) this.corrected.inc({ ...host, task })
  }

  /** Hosts gone from the inventory after a reload stop being reported. */
  forget(host: string): void {
    for (const metric of [this.lastRun, this.lastSuccess, this.up, this.converged]) metric.remove({ host })
  }

  text(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
