/**
 * What the live terminal view shows, kept up to date from engine events. No listr2 here: the view
 * (render/listr.ts) reads this state on a throttled tick, so the cost of an event is O(1) however
 * many hosts run.
 */
import { countTaskEnd, emptyCounters, type EngineEvent, type RecapCounters, type TaskStatus } from '../../engine/events.js'

export interface Deferred<T> {
  readonly promise: Promise<T>
  readonly resolve: (value: T) => void
  settled: boolean
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (value) => {
      if (d.settled) return
      d.settled = true
      resolve(value)
    },
  }
  return d
}

export interface HostView {
  readonly name: string
  current?: { readonly task: string; readonly startedAt: number }
  readonly counters: RecapCounters
  /** Last finished tasks, newest last: `status task (1.2s)`. */
  readonly recent: string[]
  /** Tasks finished so far (recent keeps only the last few). */
  finished: number
  /** First failure or unreachable message. */
  problem?: { readonly status: TaskStatus; readonly text: string }
  startedAt?: number
  endedAt?: number
}

export interface BatchView {
  /** 1-based. */
  readonly batch: number
  readonly hosts: readonly string[]
  readonly views: ReadonlyMap<string, HostView>
  readonly running: Set<string>
  /** Resolved when the next batch starts or the play ends (there is no per-host end event). */
  readonly done: Deferred<void>
}

export interface PlayView {
  readonly name: string
  readonly hosts: readonly string[]
  /** Resolved by the first batch-start with the number of batches, or null (no host ran). */
  readonly batchCount: Deferred<number | null>
  /** Batch n (1-based) once it starts, or null if the play ended before it. */
  readonly batches: Map<number, Deferred<BatchView | null>>
  stopped?: string
  /** Set once the play ended: a batch slot asked for later is one that never ran. */
  ended?: boolean
  /** With `rollout:`: the rollout's policy in words, the budget, and what happens before batch n. */
  rollout?: string
  budget?: string
  between?: { readonly before: number; readonly what: 'pause' | 'recheck'; readonly until?: number; readonly hosts?: number }
}

const RECENT = 3

export function batchSlot(play: PlayView, batch: number): Deferred<BatchView | null> {
  let slot = play.batches.get(batch)
  if (slot === undefined) {
    slot = deferred()
    play.batches.set(batch, slot)
    // The view asks for batch n only after batch n-1 is shown: after a stop it never comes.
    if (play.ended === true) slot.resolve(null)
  }
  return slot
}

export function newPlay(name: string, hosts: readonly string[]): PlayView {
  return { name, hosts, batchCount: deferred(), batches: new Map() }
}

function endBatches(play: PlayView): void {
  play.ended = true
  for (const slot of play.batches.values()) {
    if (!slot.settled) slot.resolve(null)
  }
  play.batchCount.resolve(null)
}

/** The batch currently running in a play. */
export interface LiveState {
  play?: PlayView
  batch?: BatchView
}

export function startBatch(state: LiveState, event: Extract<EngineEvent, { type: 'batch-start' }>): BatchView | undefined {
  const play = state.play
  if (play === undefined) return undefined
  state.batch?.done.resolve()
  const views = new Map(event.hosts.map((name) => [name, { name, counters: emptyCounters(), recent: [], finished: 0 } as HostView]))
  const batch: BatchView = { batch: event.batch, hosts: event.hosts, views, running: new Set(), done: deferred() }
  state.batch = batch
  play.batchCount.resolve(event.batches)
  batchSlot(play, event.batch).resolve(batch)
  return batch
}

export function endPlay(state: LiveState, stopped: string | undefined): void {
  state.batch?.done.resolve()
  if (state.play !== undefined) {
    state.play.stopped = stopped
    endBatches(state.play)
  }
  state.batch = undefined
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`
}

export function taskStarted(batch: BatchView | undefined, host: string, task: string, now: number): void {
  const view = batch?.views.get(host)
  if (batch === undefined || view === undefined) return
  view.current = { task, startedAt: now }
  view.startedAt ??= now
  batch.running.add(host)
}

export function taskEnded(batch: BatchView | undefined, event: Extract<EngineEvent, { type: 'task-end' }>, now: number): void {
  const view = batch?.views.get(event.host)
  if (batch === undefined || view === undefined) return
  view.current = undefined
  view.endedAt = now
  batch.running.delete(event.host)
  // The recap's counting (a change or an ignored failure is also ok), so the live counts are the recap's.
  countTaskEnd(view.counters, event.status)
  view.finished += 1
  view.recent.push(`${event.status} ${event.task} (${seconds(event.durationMs)})`)
  if (view.recent.length > RECENT) view.recent.shift()
  if ((event.status === 'failed' || event.status === 'unreachable') && view.problem === undefined) {
    view.problem = { status: event.status, text: `${event.task}${event.message ? ` — ${event.message}` : ''}` }
  }
}
