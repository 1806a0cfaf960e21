import type { Inventory, InventoryHost, Vars } from '../playbook/model.js'
import type { Transport } from '../transport/types.js'
import type { RunOptions } from './api.js'
import type { EmitEvent } from './events.js'
import { countedTransport, RoundTrips } from './round-trips.js'

/**
 * What every unit of work of one run shares. Kept to plain data plus the connection cache so a
 * later queue-backed runner can rebuild it per worker.
 */
export interface RunContext {
  readonly playbookFile: string
  readonly playbookDir: string
  readonly inventory: Inventory
  readonly options: RunOptions
  readonly emit: EmitEvent
  readonly startedAt: Date
  readonly connections: Connections
  /** Per host, `register:` results; they outlive the play (Ansible: host facts). */
  readonly registered: Map<string, Record<string, unknown>>
  /** Set when the whole run must stop (any_errors_fatal); Ctrl-C is options.signal. */
  readonly halt: Halt
  /**
   * Under --check, the hosts with planned changes so far. A gate after them observes a state the
   * plan would change, so its verdict is reported as pending, not as a failure.
   */
  readonly drifted: Set<string>
}

/** A stop flag with its reason: set once, read before every task. */
export class Halt {
  private why: string | undefined
  get reason(): string | undefined {
    return this.why
  }
  stop(reason: string): void {
    this.why ??= reason
  }
}

/** The one transport per host for the whole run: opened on first use, closed at the end. */
export class Connections {
  private readonly open = new Map<string, Promise<Transport>>()
  private readonly trips = new Map<string, RoundTrips>()

  constructor(private readonly connect: (host: InventoryHost) => Promise<Transport>) {}

  /** Rejects with the same error on every call once a host was found unreachable. */
  get(host: InventoryHost): Promise<Transport> {
    let transport = this.open.get(host.name)
    if (!transport) {
      const trips = this.roundTripsOf(host.name)
      transport = this.connect(host).then((connected) => countedTransport(connected, trips))
      this.open.set(host.name, transport)
    }
    return transport
  }

  /** The host's round trips once connected (the handshake and the host lock are not counted). */
  roundTripsOf(host: string): RoundTrips {
    let trips = this.trips.get(host)
    if (!trips) this.trips.set(host, (trips = new RoundTrips()))
    return trips
  }

  async closeAll(): Promise<void> {
    const settled = await Promise.allSettled(this.open.values())
    await Promise.allSettled(
      settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.close()] : [])),
    )
  }
}

/** Where one host stands in a play. */
export type HostState = 'ok' | 'failed' | 'unreachable'

export function registeredOf(run: RunContext, host: string): Record<string, unknown> {
  let vars = run.registered.get(host)
  if (!vars) run.registered.set(host, (vars = {}))
  return vars
}

/** Per host's registered variables: the names whose values came from the host (taint). */
const hostData = new WeakMap<object, Set<string>>()

/**
 * The names of a host's variables that hold host data: registered results, gathered facts, and
 * set_fact values computed from those. They may be printed or compared, never pick a controller file.
 */
export function hostDataOf(run: RunContext, host: string): Set<string> {
  const registered = registeredOf(run, host)
  let names = hostData.get(registered)
  if (!names) hostData.set(registered, (names = new Set(['hostvars'])))
  return names
}

export type { Vars }
