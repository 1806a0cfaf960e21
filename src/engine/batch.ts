/**
 * One batch of a play converged: its hosts under the play's strategy and forks, each through
 * `convergeHost`. `runBatch` is the one function that converges a batch, so another executor
 * (a queue of jobs) can replace it; rollout decisions stay outside, in the play's loop.
 */
import type { Play } from '../playbook/model.js'
import { Barrier, Semaphore } from './concurrency.js'
import { convergeHost } from './host.js'
import type { Coordination, HostOutcome, PlayPlace, RunContext } from './types.js'

export interface Batch {
  readonly hosts: readonly string[]
  /** 1-based. */
  readonly number: number
  /** 0-based index of the play in the playbook (for the cursor). */
  readonly playIndex: number
  /** A recheck of already converged hosts (the play's gates only), not a convergence. */
  readonly recheck?: boolean
}

export interface BatchResult {
  readonly outcomes: readonly HostOutcome[]
  /** Hosts that failed or became unreachable. */
  readonly down: ReadonlyMap<string, 'failed' | 'unreachable'>
  /** Why later batches must not run (Ansible: max_fail_percentage, any_errors_fatal, all failed). */
  readonly stopped?: string
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
    if (this.halted === undefined && laterBatches && this.batch.hosts.length > 0 && this.down.size === this.batch.hosts.length) {
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

/** The cursor: each host is reported as it finishes, so a killed controller knows who completed. */
function hostEnd(run: RunContext, place: PlayPlace, batch: Batch, outcome: HostOutcome): void {
  run.emit({
    type: 'host-end', play: place.play.name, playIndex: batch.playIndex, host: outcome.host, batch: batch.number, state: outcome.state,
    roundTrips: outcome.roundTrips,
    ...(outcome.stopped !== undefined && { stopped: outcome.stopped }), ...(batch.recheck === true && { recheck: true }),
  })
}

function coordinate(run: RunContext, place: PlayPlace, batch: Batch, watch: BatchWatch) {
  const forks = new Semaphore(run.options.forks)
  const base = { stopped: watch.stopped }
  const converge = async (name: string, coord: Coordination) => {
    const outcome = await convergeHost(run, place, inventoryHost(run, name), coord)
    hostEnd(run, place, batch, outcome)
    return outcome
  }
  const hostsOf = (coord: (host: string) => Coordination, wrap: (work: () => Promise<HostOutcome>) => Promise<HostOutcome>) =>
    batch.hosts.map((name) => wrap(() => converge(name, coord(name))))
  if (place.play.strategy === 'free') {
    const coord = (name: string): Coordination => ({ ...base, slot: (work) => work(), sync: async () => {}, onDown: (s) => watch.hostDown(name, s) })
    return hostsOf(coord, (work) => forks.use(work))
  }
  // linear: every host finishes task N before any starts N+1; forks bound each task's hosts.
  const barrier = new Barrier(batch.hosts.length, () => watch.checkFailRate())
  const coord = (name: string): Coordination => ({ ...base, slot: (work) => forks.use(work), sync: (step) => barrier.arrive(step), onDown: (s) => watch.hostDown(name, s) })
  return hostsOf(coord, (work) => work().finally(() => barrier.leave()))
}

/** Converges one batch's hosts; `laterBatches` tells whether a wholly failed batch stops the play. */
export async function runBatch(run: RunContext, place: PlayPlace, batch: Batch, laterBatches: boolean): Promise<BatchResult> {
  const watch = new BatchWatch(run, place.play, batch)
  const executor = run.options.executor
  const outcomes = executor === undefined ? await Promise.all(coordinate(run, place, batch, watch))
    : await executor(run, place, { stopped: watch.stopped, onDown: (host, state) => watch.hostDown(host, state), done: (outcome) => hostEnd(run, place, batch, outcome) })
  const stopped = watch.playStop(laterBatches)
  return { outcomes, down: watch.down, ...(stopped !== undefined && { stopped }) }
}
