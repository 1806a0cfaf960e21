/**
 * The page's live feed, as server-sent events. Host-cycles come from the live provider as they end
 * and, in any case, from polling the store by id (cheap: one indexed MAX), so `tend serve` with
 * nothing else in the process is live too; runs are polled by a fingerprint. The store is only
 * polled while a page is connected.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { HostCycle } from '../state/cycles.js'
import { cyclesAfter, maxCycleId, runsFingerprint } from '../state/fleet.js'
import type { StateStore } from '../state/store.js'
import type { CycleListener, HostListener, LiveHost, LiveProvider } from './live.js'

/** What a page needs of a cycle to update a row; the host's page fetches the rest. */
export interface CycleEvent {
  readonly id?: number
  readonly host: string
  readonly runId: string
  readonly startedAt: number
  readonly durationMs: number
  readonly outcome: string
  readonly message?: string
  readonly changes: readonly string[]
}

const MAX_CHANGES = 20
const HEARTBEAT_MS = 15_000
const HOST_BATCH_MS = 500

export function cycleEvent(c: HostCycle): CycleEvent {
  return {
    ...(c.id !== undefined && { id: c.id }), host: c.host, runId: c.runId, startedAt: c.startedAt, durationMs: c.durationMs,
    outcome: c.outcome, ...(c.message !== undefined && { message: c.message }),
    changes: c.changes.slice(0, MAX_CHANGES).map((ch) => ch.summary),
  }
}

export class LiveFeed {
  private readonly clients = new Set<ServerResponse>()
  private lastCycleId: number
  private runsPrint: string
  private poller: NodeJS.Timeout | undefined
  private heartbeat: NodeJS.Timeout | undefined
  private readonly onCycle: CycleListener
  private readonly onHost: HostListener
  private readonly hostChanges = new Map<string, LiveHost>()
  private hostFlush: NodeJS.Timeout | undefined

  constructor(private readonly store: StateStore, private readonly live: LiveProvider | undefined, private readonly pollMs: number) {
    this.lastCycleId = maxCycleId(store)
    this.runsPrint = runsFingerprint(store)
    this.onCycle = (cycle) => {
      if (cycle.id !== undefined && cycle.id <= this.lastCycleId) return
      if (cycle.id !== undefined) this.lastCycleId = cycle.id
      this.broadcast('cycle', cycleEvent(cycle))
    }
    // A host changes state several times a cycle: changes go out together, at most twice a second.
    this.onHost = (host) => {
      this.hostChanges.set(host.host, host)
      this.hostFlush ??= setTimeout(() => {
        this.hostFlush = undefined
        const hosts = [...this.hostChanges.values()]
        this.hostChanges.clear()
        this.broadcast('hosts', hosts)
      }, HOST_BATCH_MS).unref()
    }
    live?.events.on('cycle', this.onCycle)
    live?.events.on('host', this.onHost)
  }

  attach(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' })
    res.write(`retry: 2000\n\n`)
    this.send(res, 'hello', { live: this.live !== undefined, pollMs: this.pollMs })
    if (this.clients.size === 0) {
      // Nobody was listening: a page that connects reads the current state, so start from here.
      this.lastCycleId = Math.max(this.lastCycleId, maxCycleId(this.store))
      this.runsPrint = runsFingerprint(this.store)
    }
    this.clients.add(res)
    req.socket.setNoDelay(true)
    const detach = () => {
      this.clients.delete(res)
      if (this.clients.size === 0) this.stopTimers()
    }
    req.on('close', detach)
    res.on('error', detach)
    this.startTimers()
  }

  /** Reads what the store gained since the last look and sends it. */
  poll(): void {
    try {
      for (;;) {
        const cycles = cyclesAfter(this.store, this.lastCycleId)
        for (const c of cycles) {
          this.lastCycleId = Math.max(this.lastCycleId, c.id ?? 0)
          this.broadcast('cycle', cycleEvent(c))
        }
        if (cycles.length < 500) break
      }
      const print = runsFingerprint(this.store)
      if (print !== this.runsPrint) {
        this.runsPrint = print
        this.broadcast('runs', {})
      }
    } catch (error) {
      // A busy or briefly locked store: the next poll catches up (ids only grow).
      process.stderr.write(`tend: fleet page: reading the state store failed: ${String(error)}\n`)
    }
  }

  close(): void {
    this.live?.events.off('cycle', this.onCycle)
    this.live?.events.off('host', this.onHost)
    this.stopTimers()
    clearTimeout(this.hostFlush)
    for (const res of this.clients) res.end()
    this.clients.clear()
  }

  private broadcast(event: string, data: unknown): void {
    for (const res of this.clients) this.send(res, event, data)
  }

  private send(res: ServerResponse, event: string, data: unknown): void {
    // JSON never contains a raw newline, so one `data:` line carries it whole.
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
  }

  private startTimers(): void {
    // Unref'd: an open page never keeps a stopping tend alive.
    this.poller ??= setInterval(() => this.poll(), this.pollMs).unref()
    this.heartbeat ??= setInterval(() => { for (const res of this.clients) res.write(': ping\n\n') }, HEARTBEAT_MS).unref()
  }

  private stopTimers(): void {
    clearInterval(this.poller)
    clearInterval(this.heartbeat)
    this.poller = undefined
    this.heartbeat = undefined
  }
}
