/**
 * Turns what bench/profile/timeline.mjs recorded in one tend run into phases (process start →
 * modules loaded → validated → connected → each task → exit), the handshake's steps, and each
 * task's commands and round trips to its host. Several runs are reduced to medians.
 */

export interface TimelineEvent {
  readonly t: number
  readonly kind: string
  readonly [field: string]: unknown
}

export interface RawTimeline {
  readonly node: { readonly bootstrapComplete: number; readonly loopStart: number }
  readonly marks: readonly { readonly name: string; readonly t: number }[]
  readonly events: readonly TimelineEvent[]
}

export interface Phase { readonly phase: string; readonly atMs: number }
export interface TaskTiming {
  readonly task: string
  readonly startMs: number
  readonly endMs: number
  /** Commands sent to the host (pooled-shell commands, exec channels, forwarded connections). */
  readonly commands: number
  /** Waits for the host one after another: overlapping commands count once. */
  readonly roundTrips: number
}
export interface RunTimeline {
  readonly phases: readonly Phase[]
  readonly tasks: readonly TaskTiming[]
}

/** A command's time on the wire: from its request to its answer. */
interface Wait { readonly conn: string; readonly from: number; readonly to: number }

function waitsOf(events: readonly TimelineEvent[]): Wait[] {
  const waits: Wait[] = []
  const sent = new Map<string, { conn: string; t: number }>()
  const firstAnswer = new Map<number, number>()
  for (const e of events) {
    if (e.kind === 'send' && typeof e.token === 'string') sent.set(e.token, { conn: e.conn as string, t: e.t })
    if (e.kind === 'recv' && Array.isArray(e.tokens)) {
      for (const token of e.tokens as string[]) {
        const s = sent.get(token)
        if (s !== undefined) waits.push({ conn: s.conn, from: s.t, to: e.t })
      }
    }
    if ((e.kind === 'recv' || e.kind === 'channel-exit' || e.kind === 'channel-close') && !firstAnswer.has(e.ch as number)) {
      firstAnswer.set(e.ch as number, e.t)
    }
  }
  for (const e of events) {
    if (e.kind !== 'channel-open') continue
    const detail = String(e.detail)
    // A pooled shell is a round trip to open; its commands are counted by their tokens above.
    const to = detail.includes('__tend_shell=') ? e.t : firstAnswer.get(e.ch as number) ?? e.t
    waits.push({ conn: e.conn as string, from: e.open as number, to })
  }
  return waits.sort((a, b) => a.from - b.from)
}

/** Overlapping waits are one round trip (commands in parallel shells). */
function roundTrips(waits: readonly Wait[]): number {
  let count = 0
  let until = -Infinity
  for (const w of waits) {
    if (w.from > until) count += 1
    until = Math.max(until, w.to)
  }
  return count
}

const first = (events: readonly TimelineEvent[], test: (e: TimelineEvent) => boolean): number | undefined =>
  events.find(test)?.t

/** `connOf`: a host name → its `address:port` (the connection its commands travel on). */
export function runTimeline(raw: RawTimeline, connOf: (host: string) => string | undefined): RunTimeline {
  const ev = raw.events
  const mark = (name: string) => raw.marks.find((m) => m.name === name)?.t
  const step = (pattern: RegExp) => first(ev, (e) => e.kind === 'ssh-step' && pattern.test(String(e.message)))
  const engine = (type: string) => first(ev, (e) => e.kind === 'engine' && e.type === type)
  const candidates: [string, number | undefined][] = [
    ['node bootstrap done', raw.node.bootstrapComplete],
    ['main module loaded (tend:main)', mark('tend:main')],
    ['command modules loaded (tend:command)', mark('tend:command')],
    ['playbook + inventory validated (tend:validated)', mark('tend:validated')],
    ['run recorded, engine started (run-start)', engine('run-start')],
    ['first task started', engine('task-start')],
    ['ssh connect called', first(ev, (e) => e.kind === 'ssh-connect')],
    ['tcp connected', first(ev, (e) => e.kind === 'tcp-connected')],
    ['server ident received', step(/^Remote ident/)],
    ['key exchange done (NEWKEYS)', step(/^Handshake completed/)],
    ['user auth service accepted', step(/SERVICE_ACCEPT/)],
    ['authenticated (ready)', first(ev, (e) => e.kind === 'ssh-ready')],
    ['first command answered', first(ev, (e) => e.kind === 'recv' && Array.isArray(e.tokens))],
    ['last task ended', [...ev].reverse().find((e) => e.kind === 'engine' && e.type === 'task-end')?.t],
    ['run-end written', engine('run-end')],
    ['process exit', first(ev, (e) => e.kind === 'exit')],
  ]
  const phases = candidates.filter((c): c is [string, number] => c[1] !== undefined).map(([phase, atMs]) => ({ phase, atMs }))
  const waits = waitsOf(ev)
  const tasks: TaskTiming[] = []
  const open = new Map<string, number>()
  for (const e of ev) {
    if (e.kind !== 'engine' || (e.type !== 'task-start' && e.type !== 'task-end')) continue
    const key = `${String(e.host)}\t${String(e.task)}`
    if (e.type === 'task-start') { open.set(key, e.t); continue }
    const start = open.get(key)
    if (start === undefined) continue
    open.delete(key)
    const conn = connOf(String(e.host))
    const mine = waits.filter((w) => w.conn === conn && w.from >= start && w.from <= e.t)
    tasks.push({ task: String(e.task), startMs: start, endMs: e.t, commands: mine.length, roundTrips: roundTrips(mine) })
  }
  return { phases, tasks }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

export interface TimelineSummary {
  readonly runs: number
  /** Median time of each phase since the process started. */
  readonly phases: readonly { readonly phase: string; readonly atMs: number; readonly deltaMs: number }[]
  /** Per task name, medians over hosts and runs. */
  readonly tasks: readonly { readonly task: string; readonly ms: number; readonly commands: number; readonly roundTrips: number }[]
}

export function summariseTimelines(runs: readonly RunTimeline[]): TimelineSummary {
  const names = [...new Set(runs.flatMap((r) => r.phases.map((p) => p.phase)))]
  const at = names.map((phase) => ({ phase, atMs: median(runs.flatMap((r) => r.phases.filter((p) => p.phase === phase).map((p) => p.atMs))) }))
    .sort((a, b) => a.atMs - b.atMs)
  const phases = at.map((p, i) => ({ ...p, deltaMs: p.atMs - (i === 0 ? 0 : at[i - 1]!.atMs) }))
  const taskNames = [...new Set(runs.flatMap((r) => r.tasks.map((t) => t.task)))]
  const tasks = taskNames.map((task) => {
    const all = runs.flatMap((r) => r.tasks.filter((t) => t.task === task))
    return {
      task, ms: median(all.map((t) => t.endMs - t.startMs)),
      commands: median(all.map((t) => t.commands)), roundTrips: median(all.map((t) => t.roundTrips)),
    }
  })
  return { runs: runs.length, phases, tasks }
}

export function renderTimeline(s: TimelineSummary): string {
  const width = Math.max(...s.phases.map((p) => p.phase.length), ...s.tasks.map((t) => t.task.length), 10)
  return [
    `Timeline (median of ${s.runs} run${s.runs === 1 ? '' : 's'}, ms since process start):`,
    `  ${'phase'.padEnd(width)}  ${'at ms'.padStart(7)}  ${'+ms'.padStart(7)}`,
    ...s.phases.map((p) => `  ${p.phase.padEnd(width)}  ${p.atMs.toFixed(1).padStart(7)}  ${p.deltaMs.toFixed(1).padStart(7)}`),
    'Tasks (median over hosts and runs):',
    `  ${'task'.padEnd(width)}  ${'ms'.padStart(7)}  commands  round trips`,
    ...s.tasks.map((t) => `  ${t.task.padEnd(width)}  ${t.ms.toFixed(1).padStart(7)}  ${String(t.commands).padStart(8)}  ${String(t.roundTrips).padStart(11)}`),
  ].join('\n')
}
