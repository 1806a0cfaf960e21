/**
 * The host session: everything one unit of work of the engine runs in, built in one place for
 * every driver (tend run and resume, a watch cycle, a queue job, a watch cycle on a worker), the
 * way controller-runtime calls every reconciler the same way. A session is a RunContext (the
 * context factory), each host's connection from a ConnectionCache, and a lease on the host's lock
 * from a HostLockSet, taken with the first connection to the host and released when the session
 * closes. Drivers differ only in what they hand it: how long the cache lives, the lock set's wait
 * policy, and whether to lock at all (--check takes no lock).
 */
import { dirname, resolve } from 'node:path'
import type { Inventory, InventoryHost, Play } from '../playbook/model.js'
import { selectHosts } from '../playbook/patterns.js'
import type { Transport } from '../transport/types.js'
import type { ConnectionCache } from './connections.js'
import type { EmitEvent } from './events.js'
import { Halt } from './halt.js'
import { convergeHost } from './host.js'
import type { HostLockSet, LockLease, LockOwner } from './host-lock.js'
import { countedTransport, RoundTrips } from './round-trips.js'
import type { Coordination, HostConnections, HostOutcome, RunContext, RunOptions } from './types.js'

export interface SessionSpec {
  readonly playbookFile: string
  /** Where the playbook's relative files resolve (default: the playbook file's directory). */
  readonly playbookDir?: string
  readonly inventory: Inventory
  readonly options: RunOptions
  readonly emit: EmitEvent
  readonly connections: ConnectionCache
  /** The lock set and the owner this session's leases name; absent: no lock (a plan changes nothing). */
  readonly lock?: { readonly set: HostLockSet; readonly owner: LockOwner }
  readonly startedAt?: Date
  /** Registered results carried in (a queue job continues its run's); default none. */
  readonly registered?: Map<string, Record<string, unknown>>
}

export class HostSession implements HostConnections {
  readonly run: RunContext
  private readonly hosts = new Map<string, Promise<Transport>>()
  private readonly leases: Promise<LockLease | undefined>[] = []
  private readonly trips = new Map<string, RoundTrips>()

  constructor(private readonly spec: SessionSpec) {
    this.run = {
      playbookFile: spec.playbookFile,
      playbookDir: spec.playbookDir ?? dirname(resolve(spec.playbookFile)),
      inventory: spec.inventory,
      options: spec.options,
      emit: spec.emit,
      startedAt: spec.startedAt ?? new Date(),
      connections: this,
      registered: spec.registered ?? new Map(),
      halt: new Halt(),
      drifted: new Set(),
      runOnce: new Map(),
      startReached: new Set(),
    }
  }

  /**
   * The host's transport with the machine's lock held, once per host for the whole session: a
   * host found unreachable or busy stays so for this session (each task does not try again).
   */
  get(host: InventoryHost): Promise<Transport> {
    let transport = this.hosts.get(host.name)
    if (transport === undefined) {
      transport = this.open(host)
      this.hosts.set(host.name, transport)
    }
    return transport
  }

  /** The host's round trips once connected (the handshake and the host lock are not counted). */
  roundTripsOf(host: string): RoundTrips {
    let trips = this.trips.get(host)
    if (!trips) this.trips.set(host, (trips = new RoundTrips()))
    return trips
  }

  /** Releases this session's leases; the connections stay with the cache's owner. */
  async close(): Promise<void> {
    const leases = await Promise.allSettled(this.leases.splice(0))
    await Promise.allSettled(leases.flatMap((l) => (l.status === 'fulfilled' && l.value ? [l.value.release()] : [])))
  }

  private async open(host: InventoryHost): Promise<Transport> {
    const transport = await this.spec.connections.get(host)
    const lock = this.spec.lock
    if (lock !== undefined) {
      const lease = lock.set.acquire(transport, lock.owner)
      this.leases.push(lease.catch(() => undefined))
      // The first command's shell opens while the lock is taken: one round trip for both.
      await Promise.all([lease, transport.warm?.().catch(() => undefined)])
    }
    return countedTransport(transport, this.roundTripsOf(host.name))
  }
}

/** Opens a session (the one way every driver builds a RunContext). */
export function openSession(spec: SessionSpec): HostSession {
  return new HostSession(spec)
}

/** A host converging on its own: no lockstep, no pool, nothing to tell. */
export function aloneCoordination(stopped: () => string | undefined): Coordination {
  return { stopped, slot: (work) => work(), sync: async () => {}, onDown: () => {} }
}

/**
 * The plays of a playbook that target `host`, converged in order on that host alone, each framed
 * by its play-start and play-end as tend run emits them; a host that goes down or is stopped takes
 * no part in later plays. A watch cycle's unit of work, on the controller or on a worker.
 */
export async function convergePlays(session: HostSession, host: InventoryHost, plays: readonly Play[], coord: Coordination): Promise<HostOutcome | undefined> {
  const run = session.run
  let last: HostOutcome | undefined
  for (const play of plays) {
    const playHosts = selectHosts(run.inventory, play.hosts).filter((h) => run.options.limit?.has(h) ?? true)
    if (!playHosts.includes(host.name)) continue
    run.emit({ type: 'play-start', play: play.name, hosts: [host.name] })
    last = await convergeHost(run, { play, playHosts, batchHosts: [host.name] }, host, coord)
    run.emit({ type: 'play-end', play: play.name, ...(last.stopped !== undefined && { stopped: last.stopped }) })
    if (last.state !== 'ok' || last.stopped !== undefined) break
  }
  return last
}
