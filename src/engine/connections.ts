import type { InventoryHost } from '../playbook/model.js'
import type { Transport } from '../transport/types.js'
import { countedTransport, RoundTrips } from './round-trips.js'

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
