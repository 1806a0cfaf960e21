/**
 * `tend watch` as a process: the controller, its subscribers (history, metrics, schedule, the
 * renderer), the HTTP listener, the state store and the signals, wired once and torn down in
 * order: stop starting work, let running changes finish, close connections, exit.
 */
import { hostname } from 'node:os'
import { ConfigError } from '../errors.js'
import { ExitCode } from '../exit-codes.js'
import { newRunId } from '../engine/run.js'
import { createRun, finishRun } from '../state/runs.js'
import { StateStore } from '../state/store.js'
import { ConnectionCache, type ConnectFactory } from '../engine/connections.js'
import { WatchController } from './controller.js'
import { cycleLocks, type CycleConfig } from './cycle.js'
import type { EmitWatchEvent, WatchEvent } from './events.js'
import { healthOf } from './health.js'
import { HistoryWriter } from './history.js'
import { listen, route, type HttpListener, type Listen, type RouteHandler } from '../http/listen.js'
import type { WatchMetrics } from '../history/metrics.js'
import { FleetSchedule } from './schedule.js'

/** What the watch does on SIGHUP, on the first stop signal, and on a second one. */
export interface WatchSignalHandlers {
  readonly reload: () => void
  readonly stop: (signalName: NodeJS.Signals) => void
  readonly force: (signalName: NodeJS.Signals) => void
}

/** What drives the host-cycles: this process's own loop (WatchController) or the queue's (src/queue/watch.ts). */
export interface WatchLoop {
  readonly hostNames: readonly string[]
  readonly runningHosts: string[]
  start(): void | Promise<void>
  reload(config: CycleConfig): Promise<void>
  stop(reason: string): Promise<void>
  abortRunning(): void
}

export interface WatchRun {
  readonly playbookFile: string
  /** Loads and validates playbook, inventory, variables and --limit; throws ConfigError. */
  readonly load: () => Promise<CycleConfig>
  readonly connect: ConnectFactory
  readonly stateDir: string
  readonly everyMs: number
  readonly splayMs: number
  readonly rate?: number
  readonly forks: number
  readonly keepMs: number
  readonly graceMs: number
  /** --metrics: where /metrics and /healthz (and mounted pages) are served. */
  readonly listen?: Listen
  /** Further handlers on the same listener, tried after /metrics and /healthz (the fleet page). */
  readonly mount?: (schedule: FleetSchedule) => readonly RouteHandler[]
  /** Told the schedule as soon as it exists (the terminal view reads it). */
  readonly onSchedule?: (schedule: FleetSchedule) => void
  /** The renderer. */
  readonly emit: EmitWatchEvent
  /** Things the operator must read that are not events (store errors). */
  readonly warn: (text: string) => void
  /** The process's signal owner (src/cli/signals.ts, the long-running policy); returns what removes its handlers. */
  readonly signals: (handlers: WatchSignalHandlers) => () => void
  /** --queue: cycles run on workers, scheduled in Redis; absent: in this process. */
  readonly loop?: (deps: { first: CycleConfig; runId: string; schedule: FleetSchedule; emit: EmitWatchEvent; registry: WatchMetrics['registry'] }) => Promise<WatchLoop>
}

function observability(schedule: FleetSchedule, metrics: WatchMetrics): RouteHandler[] {
  return [
    route('GET', '/metrics', async (_, res) => {
      const text = await metrics.text()
      res.writeHead(200, { 'content-type': metrics.contentType }).end(text)
    }),
    route('GET', '/healthz', (_, res) => {
      const health = healthOf(schedule.snapshot(), Date.now())
      res.writeHead(health.ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${health.reason}\n`)
    }),
  ]
}

/** Runs until SIGTERM/SIGINT; returns the exit code. A broken first configuration throws ConfigError. */
export async function runWatch(run: WatchRun): Promise<number> {
  const first = await run.load()
  const store = StateStore.open(run.stateDir)
  // The history never holds an -e value in clear (src/state/withheld.ts).
  store.withheld.add(first.options.extraVars)
  const runId = newRunId()
  const startedAt = Date.now()
  const schedule = new FleetSchedule(runId, run.playbookFile, run.everyMs, run.splayMs, startedAt)
  run.onSchedule?.(schedule)
  // prom-client loads only when something reads the metrics: --metrics, or the queue's loop.
  const metrics = run.listen !== undefined || run.loop !== undefined ? new (await import('../history/metrics.js')).WatchMetrics() : undefined
  const history = new HistoryWriter(store, run.keepMs, (error) => run.warn(`cannot record history: ${String(error)}`))
  history.prune()
  const emit = (event: WatchEvent): void => {
    schedule.observe(event)
    if (event.type === 'cycle-end') {
      history.record(event)
      metrics?.observe(event)
    }
    if (event.type === 'watch-start') metrics?.know(event.hosts)
    if (event.type === 'reload') metrics?.reloaded(event.applied)
    run.emit(event)
  }
  let http: HttpListener | undefined
  if (run.listen && metrics) {
    const where = run.listen
    http = await listen(where, [...observability(schedule, metrics), ...(run.mount?.(schedule) ?? [])]).catch((error: unknown) => {
      store.close()
      throw new ConfigError([{ file: '<command line>', line: 0, column: 0, message: `--metrics ${where.host}:${where.port}: cannot listen (${error instanceof Error ? error.message : String(error)})`, hint: 'another process has the port? give another HOST:PORT' }])
    })
  }
  const connections = new ConnectionCache(run.connect)
  const controller: WatchLoop = run.loop !== undefined && metrics
    ? await run.loop({ first, runId, schedule, emit, registry: metrics.registry }).catch(async (error: unknown) => {
      await http?.close()
      store.close()
      throw error
    })
    : new WatchController(first, { runId, everyMs: run.everyMs, splayMs: run.splayMs, rate: run.rate, forks: run.forks },
      { connections, locks: cycleLocks(`watch ${runId}`), schedule, emit })
  createRun(store, {
    id: runId, kind: 'watch', playbook: run.playbookFile, startedAt, status: 'running', controller: hostname(), pid: process.pid,
    plan: { everyMs: run.everyMs, splayMs: run.splayMs, rate: run.rate ?? null, forks: run.forks },
  })
  await controller.start()
  emit({
    type: 'watch-start', runId, playbook: run.playbookFile, everyMs: run.everyMs, hosts: controller.hostNames,
    time: new Date(startedAt).toISOString(), ...(http && { metrics: http.url }),
  })

  let forced = false
  let reloading = Promise.resolve()
  const reload = async (): Promise<void> => {
    try {
      const config = await run.load()
      // An -e file read again may bring new values: they are kept out of the history too.
      store.withheld.add(config.options.extraVars)
      const before = new Set(controller.hostNames)
      await controller.reload(config)
      for (const host of before) if (!controller.hostNames.includes(host)) metrics?.forget(host)
      metrics?.know(controller.hostNames)
      emit({ type: 'reload', applied: true, hosts: controller.hostNames.length, diagnostics: [] })
    } catch (error) {
      const diagnostics = error instanceof ConfigError ? error.diagnostics
        : [{ file: run.playbookFile, line: 0, column: 0, message: error instanceof Error ? error.message : String(error) }]
      emit({ type: 'reload', applied: false, hosts: controller.hostNames.length, diagnostics })
    }
  }
  const stopped = new Promise<void>((resolve) => {
    const dispose = run.signals({
      reload: () => {
        reloading = reloading.then(reload)
      },
      stop: (signalName) => {
        emit({ type: 'watch-stopping', signal: signalName, running: controller.runningHosts })
        const grace = setTimeout(() => {
          forced = true
          controller.abortRunning()
        }, run.graceMs)
        void controller.stop(`stopping on ${signalName}`).then(() => {
          clearTimeout(grace)
          dispose()
          resolve()
        })
      },
      force: () => {
        forced = true
        controller.abortRunning()
      },
    })
  })
  await stopped
  await reloading
  await connections.closeAll()
  await http?.close()
  const exitCode = forced ? ExitCode.interrupted : ExitCode.ok
  finishRun(store, runId, { status: forced ? 'interrupted' : 'stopped', exitCode, reason: forced ? 'grace period over: running work aborted' : 'stopped by signal' })
  store.close()
  emit({ type: 'watch-end', exitCode, time: new Date().toISOString() })
  return exitCode
}
