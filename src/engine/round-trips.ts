import type { Duplex } from 'node:stream'
import type { Transport } from '../transport/types.js'

/**
 * Counts a host's round trips the way latency adds up: a round trip is a stretch of time during
 * which at least one request to the host is in flight (a command, a TCP stream through the
 * connection, a lock being taken). Requests sent together, like a batch of probes and the HTTP
 * requests started beside it, are one round trip; one sent after another returned is the next.
 */
export class RoundTrips {
  private inFlight = 0
  private counted = 0

  get count(): number {
    return this.counted
  }

  /** Marks one request as sent; the returned function marks it as answered (idempotent). */
  begin(): () => void {
    if (this.inFlight++ === 0) this.counted++
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.inFlight--
    }
  }

  async around<T>(work: () => Promise<T>): Promise<T> {
    const end = this.begin()
    try {
      return await work()
    } finally {
      end()
    }
  }
}

/** The transport, with every request it sends counted in `trips`. */
export function countedTransport(transport: Transport, trips: RoundTrips): Transport {
  return {
    host: transport.host,
    machine: transport.machine,
    exec: (argv, options) => trips.around(() => transport.exec(argv, options)),
    // A stream is in flight until it closes: the HTTP exchange on it is part of the trip.
    openTcp: async (address, port, signal) => {
      const end = trips.begin()
      try {
        const stream: Duplex = await transport.openTcp(address, port, signal)
        stream.once('close', end)
        return stream
      } catch (error) {
        end()
        throw error
      }
    },
    hold: (argv, signal) => trips.around(() => transport.hold(argv, signal)),
    close: () => transport.close(),
  }
}
