import type { Play } from '../playbook/model.js'
import { batchesOf } from './batches.js'
import { Barrier, Semaphore } from './concurrency.js'
import { convergeHost, type Coordination, type HostOutcome } from './host.js'
import type { RunContext } from './state.js'
import type { PlayPlace } from './vars.js'

/** Hosts that failed or became unreachable in the play: Ansible drops them from later plays. */
export interface PlayResult {
  readonly down: ReadonlyMap<string, 'failed' | 'unreachable'>
  readonly stopped?: string
}

interface Batch {
  readonly hosts: readonly string[]
  readonly number: number
}

/** Per batch: who went down, and why the batch (under linear) or the play must stop. */
class BatchWatch {
  readonly down = new Map<string, 'failed' | 'unreachable'>()
  halted: string | undefined

  constructor(private readonly run: RunContext, private readonly play: Play, private readonly batch: Batch) {}

  stopped = (): string | undefined =>
    this.run.options.signal.aborted ? 'interrupted' : (this.run.halt.reason ?? this.halted)

  hostDown(host: string, state: 'failed' | 'unreachable'): void {
    this.down.set(host, state)
    if (!this.play.anyErrorsFatal) return
    this.halted ??= `any_errors_fatal: ${host} ${state}`
    this.run.halt.stop(this.halted)
  }

  /** max_fail_percentage: exceeding it stops the play; equalling it does not. */
  checkFailRate(): void {
    const limit = this.play.maxFailPercentage
    const failed = this.down.size
    if (limit === undefined || (failed * 100) / this.batch.hosts.length <= limit) return
    this.halted ??= `max_fail_percentage ${limit}% exceeded: ${failed} of ${this.batch.hosts.length} hosts failed in batch ${this.batch.number}`
  }

  /** Why later batches must not run (a wholly failed batch stops a rolling update, as in Ansible). */
  playStop(laterBatches: boolean): string | undefined {
    this.checkFailRate()
    if (this.halted === undefined && laterBatches && this.down.size === this.batch.hosts.length) {
      this.halted = `every host of batch ${this.batch.number} failed`
    }
    return this.stopped()
  }
}

function inventoryHost(run: RunContext, name: string) {
  const host = run.inventory.hosts.get(name)
  if (!host) throw new Error(`internal: host ${name} selected but not in the inventory`)
  return host
}

function coordinate(run: RunContext, place: PlayPlace, batch: Batch, watch: BatchWatch) {
  const forks = new Semaphore(run.options.forks)
  const base = { stopped: watch.stopped }
  const hostsOf = (coord: (host: string) => Coordination, wrap: (work: () => Promise<HostOutcome>) => Promise<HostOutcome>) =>
    batch.hosts.map((name) => wrap(() => convergeHost(run, place, inventoryHost(run, name), coord(name))))
  if (place.play.strategy === 'free') {
    const coord = (name: string): Coordination => ({ ...base, slot: (work) => work(), sync: async () => {}, onDown: (s) => watch.hostDown(name, s) })
    return hostsOf(coord, (work) => forks.use(work))
  }
  // linear: every host finishes task N before any starts N+1; forks bound each task's hosts.
  const barrier = new Barrier(batch.hosts.length, () => watch.checkFailRate())
  const coord = (name: string): Coordination => ({ ...base, slot: (work) => forks.use(work), sync: (step) => barrier.arrive(step), onDown: (s) => watch.hostDown(name, s) })
  return hostsOf(coord, (work) => work().finally(() => barrier.leave()))
}

async function runBatch(run: RunContext, place: PlayPlace, batch: Batch): Promise<BatchWatch> {
  const watch = new BatchWatch(run, place.play, batch)
  const executor = run.options.executor
  if (executor !== undefined) await executor(run, place, { stopped: watch.stopped, onDown: (host, state) => watch.hostDown(host, state) })
  else await Promise.all(coordinate(run, place, batch, watch))
  return watch
}

/** One play: its hosts in batches per `serial`, each batch converged under the play's strategy. */
export async function runPlay(run: RunContext, play: Play, hosts: readonly string[]): Promise<PlayResult> {
  run.emit({ type: 'play-start', play: play.name, hosts })
  const batches = batchesOf(hosts, play.serial)
  const down = new Map<string, 'failed' | 'unreachable'>()
  let stopped: string | undefined
  for (const [index, batchHosts] of batches.entries()) {
    stopped ??= run.options.signal.aborted ? 'interrupted' : run.halt.reason
    if (stopped !== undefined) break
    const batch = { hosts: batchHosts, number: index + 1 }
    run.emit({ type: 'batch-start', play: play.name, batch: batch.number, batches: batches.length, hosts: batchHosts })
    const watch = await runBatch(run, { play, playHosts: hosts, batchHosts }, batch)
    for (const [host, state] of watch.down) down.set(host, state)
    stopped = watch.playStop(index + 1 < batches.length)
  }
  stopped ??= run.options.signal.aborted ? 'interrupted' : undefined
  run.emit({ type: 'play-end', play: play.name, ...(stopped !== undefined && { stopped }) })
  return { down, ...(stopped !== undefined && { stopped }) }
}
