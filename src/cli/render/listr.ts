/**
 * The live terminal view, the one file that imports listr2: play → batch → host → task.
 * Small batches get one line per host (its current task, its last finished tasks below it, a
 * summary once done); large batches get one line per running host only, finished hosts folded
 * into the batch's counts. Titles are refreshed on a throttled tick, never per event, so 1,000
 * hosts cost what 10 do. After the view: changes, failures and the PLAY RECAP as plain lines.
 */
import { Listr, PRESET_TIMER, type ListrTask } from 'listr2'
import type { EngineEvent } from '../../engine/events.js'
import { palette } from './color.js'
import { recapLines, taskEndLines } from './format.js'
import { budgetLine, planLines, runEndLines } from './rollout-format.js'
import {
  batchSlot, endPlay, newPlay, seconds, startBatch, taskEnded, taskStarted,
  type BatchView, type HostView, type LiveState, type PlayView,
} from './live-state.js'
import type { RenderOptions, Renderer } from './types.js'

/** Batches with more hosts than this show running hosts only. */
const HOST_LINES = 12
/** Running hosts listed under a large batch. */
const RUNNING_LINES = 10
const TICK_MS = 200

/** The part of listr2's task wrapper this view drives. */
interface TaskHandle {
  title: string
  output: string
}

type Refresh = (now: number) => void

function hostTitle(view: HostView, now: number): string {
  if (view.current) return `${view.name} › ${view.current.task} (${seconds(now - view.current.startedAt)})`
  const counts = Object.entries(view.counters).filter(([, n]) => n > 0).map(([k, n]) => `${k}=${n}`)
  return `${view.name}  ${counts.join(' ') || 'waiting'}`
}

function hostTask(view: HostView, batch: BatchView, refreshers: Set<Refresh>): ListrTask {
  return {
    title: view.name,
    rendererOptions: { outputBar: 3 },
    task: async (_, task: TaskHandle) => {
      let shown = 0
      const refresh: Refresh = (now) => {
        task.title = hostTitle(view, now)
        // Each output write is one line of the host's output bar: write only the new ones.
        const fresh = view.recent.slice(-Math.min(view.finished - shown, view.recent.length))
        if (view.finished > shown) for (const line of fresh) task.output = line
        shown = view.finished
      }
      refreshers.add(refresh)
      await batch.done.promise
      refreshers.delete(refresh)
      refresh(Date.now())
      if (view.problem) throw new Error(`${view.name}: ${view.problem.status}: ${view.problem.text}`)
    },
  }
}

function batchSummary(batch: BatchView): string {
  let failed = 0
  let unreachable = 0
  for (const view of batch.views.values()) {
    if (view.problem?.status === 'failed') failed += 1
    if (view.problem?.status === 'unreachable') unreachable += 1
  }
  return `${batch.hosts.length} hosts · ${batch.running.size} running · ${failed} failed · ${unreachable} unreachable`
}

function foldedTitle(label: string | undefined, batch: BatchView): string {
  return label === undefined ? batchSummary(batch) : `${label} · ${batchSummary(batch)}`
}

/** A large batch: the running hosts as output lines, everything else as counts in the title. */
function foldedHosts(batch: BatchView, label: string | undefined, refreshers: Set<Refresh>) {
  return async (_: unknown, task: TaskHandle) => {
    const refresh: Refresh = (now) => {
      task.title = foldedTitle(label, batch)
      const running = [...batch.running].slice(0, RUNNING_LINES)
      const lines = running.map((host) => hostTitle(batch.views.get(host) as HostView, now))
      if (batch.running.size > RUNNING_LINES) lines.push(`… ${batch.running.size - RUNNING_LINES} more running`)
      task.output = lines.join('\n')
    }
    refreshers.add(refresh)
    await batch.done.promise
    refreshers.delete(refresh)
    refresh(Date.now())
  }
}

/** Before batch n starts: the pause's countdown, or the recheck of the hosts already converged. */
function waitingTitle(play: PlayView, label: string, n: number, now: number): string {
  const between = play.between
  if (between?.before !== n) return label
  if (between.what === 'pause') return `${label}: starts in ${seconds(Math.max(0, (between.until ?? now) - now))} (pause)`
  return `${label}: rechecking the gates on ${between.hosts} converged host${between.hosts === 1 ? '' : 's'}`
}

function batchTask(play: PlayView, n: number, count: number, refreshers: Set<Refresh>): ListrTask {
  const label = count > 1 ? `batch ${n}/${count}` : `${play.hosts.length} hosts`
  return {
    title: label,
    rendererOptions: { outputBar: RUNNING_LINES + 1 },
    task: async (_, task) => {
      const waiting: Refresh = (now) => (task.title = waitingTitle(play, label, n, now))
      refreshers.add(waiting)
      const batch = await batchSlot(play, n).promise
      refreshers.delete(waiting)
      task.title = label
      if (batch === null) return task.skip(`${label}: not run${play.stopped ? ` (${play.stopped})` : ''}`)
      if (batch.hosts.length > HOST_LINES) return foldedHosts(batch, count > 1 ? label : undefined, refreshers)(_, task)
      const budget = play.budget === undefined ? '' : ` · ${play.budget}`
      task.title = `${label}: ${batch.hosts.length <= 3 ? batch.hosts.join(', ') : `${batch.hosts.length} hosts`}${budget}`
      const hosts = batch.hosts.map((h) => hostTask(batch.views.get(h) as HostView, batch, refreshers))
      return task.newListr(hosts, { concurrent: true, exitOnError: false })
    },
  }
}

/** Hosts of the play's batches that failed or were unreachable. */
async function problemHosts(play: PlayView): Promise<number> {
  let problems = 0
  for (const slot of play.batches.values()) {
    const batch = await slot.promise
    for (const view of batch?.views.values() ?? []) if (view.problem !== undefined) problems++
  }
  return problems
}

function playListr(play: PlayView, refreshers: Set<Refresh>): Listr {
  const playTask: ListrTask = {
    title: `PLAY [${play.name}]${play.rollout === undefined ? '' : ` · ${play.rollout}`}`,
    task: async (_, task) => {
      const count = await play.batchCount.promise
      if (count === null) return task.skip(`PLAY [${play.name}]: no hosts`)
      const batches = Array.from({ length: count }, (__, i) => batchTask(play, i + 1, count, refreshers))
      // One batch: its hosts sit right under the play. The verdict (no title) fails the play's own
      // line when a host failed or the play stopped: a failed play never shows a green ✔.
      const verdict: ListrTask = {
        task: async () => {
          const problems = await problemHosts(play)
          if (play.stopped !== undefined) throw new Error(`stopped: ${play.stopped}`)
          if (problems > 0) throw new Error(`${problems} host${problems === 1 ? '' : 's'} failed or unreachable`)
        },
      }
      return task.newListr([...batches, verdict], { concurrent: false, exitOnError: false })
    },
  }
  return liveList([playTask], { timer: PRESET_TIMER })
}

/**
 * A live list on the terminal, as every tend view draws one: errors do not stop the list, the
 * signals stay tend's (src/cli/signals.ts), subtasks and errors stay open.
 */
function liveList(tasks: ListrTask[], rendererOptions: { timer?: typeof PRESET_TIMER } = {}): Listr {
  return new Listr(tasks, {
    exitOnError: false,
    registerSignalListeners: false,
    rendererOptions: { collapseSubtasks: false, collapseErrors: false, ...rendererOptions },
  })
}

export function listrRenderer(options: RenderOptions): Renderer {
  const paint = palette(options.color)
  const state: LiveState = {}
  const refreshers = new Set<Refresh>()
  const summary: string[] = []
  let chain: Promise<unknown> = Promise.resolve()
  const tick = setInterval(() => {
    const now = Date.now()
    for (const refresh of refreshers) refresh(now)
  }, TICK_MS)

  const plain = palette(false)
  /** The play's view starts once its rollout line is known (the plan follows play-start). */
  let started: PlayView | undefined
  const startPlayView = (at: LiveState) => {
    if (at.play === undefined || started === at.play) return
    started = at.play
    const listr = playListr(at.play, refreshers)
    chain = chain.then(() => listr.run().catch(() => undefined))
  }
  const emit = (event: EngineEvent): void => {
    const now = Date.now()
    switch (event.type) {
      case 'play-start':
        state.play = newPlay(event.play, event.hosts)
        return
      case 'rollout-plan':
        if (state.play) state.play.rollout = planLines(event, false, plain)[0]
        if (options.check) summary.push(...planLines(event, true, paint))
        return
      case 'batch-start':
        startPlayView(state)
        if (state.play) state.play.between = undefined
        if (state.play && event.budget) state.play.budget = budgetLine(event.budget)
        startBatch(state, event)
        return
      case 'rollout-pause':
        state.batch?.done.resolve()
        if (state.play) state.play.between = { before: event.before, what: 'pause', until: now + event.seconds * 1000 }
        return
      case 'rollout-recheck':
        state.batch?.done.resolve()
        if (state.play) state.play.between = { before: event.before, what: 'recheck', hosts: event.hosts.length }
        return
      case 'rollout-halt':
        return
      case 'host-end':
        return
      case 'task-start':
        taskStarted(state.batch, event.host, event.task, now)
        return
      case 'task-end':
        taskEnded(state.batch, event, now)
        if (event.status !== 'ok' && event.status !== 'skipped') summary.push(...taskEndLines(event, paint))
        return
      case 'play-end':
        startPlayView(state)
        endPlay(state, event.stopped)
        if (event.stopped) summary.push(paint.failed(`PLAY [${event.play}] stopped: ${event.stopped}`))
        return
      case 'recap':
        summary.push('', ...recapLines(event.hosts, paint))
        return
      case 'notice':
        // Said now (above the live view) and again after it, with the changes and failures.
        process.stderr.write(`tend: ${event.text}\n`)
        summary.push(paint.unreachable(`tend: ${event.text}`))
        return
      case 'run-end':
        if (event.interrupted) summary.push('', paint.failed('interrupted: running work was stopped'))
        summary.push(...runEndLines(event, paint))
        return
      case 'run-start':
        options.out.write(paint.dim(`run ${event.runId}${event.resumed ? ' (resumed)' : ''}`) + '\n')
        if (event.check) summary.push(paint.dim('check mode: nothing was changed; the plan is below'))
        return
    }
  }

  return {
    emit,
    interrupting: () => {
      if (state.play) state.play.stopped = 'interrupting…'
    },
    finish: async () => {
      endPlay(state, state.play?.stopped)
      await chain
      clearInterval(tick)
      if (summary.length > 0) options.out.write(summary.join('\n') + '\n')
    },
  }
}
