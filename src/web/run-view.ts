/**
 * A run as the page shows it: batch k of n, hosts per batch with their outcomes, the error budget
 * used, why it halted and the exact `tend resume` command. The frozen plan's shape belongs to the
 * rollout code, so it is read tolerantly: a missing field leaves its line off the page.
 */
import { isResumable, type RunHost, type RunRecord } from '../state/runs.js'
import { resumeCommandOf } from '../state/dir.js'
import { shownExtraVars } from '../rollout/plan.js'

export interface RunView {
  readonly id: string
  readonly kind: string
  readonly playbook: string
  readonly startedAt: number
  readonly finishedAt?: number
  readonly status: string
  readonly exitCode?: number
  readonly reason?: string
  readonly batch?: number
  readonly batches?: number
  readonly counts: Readonly<Record<string, number>>
  readonly budget?: { readonly used: number; readonly allowed?: number; readonly declared?: string }
  readonly resumeCommand?: string
  /** Per play and batch (`batches`: that play's planned total, when the plan says). */
  readonly hostsByBatch?: readonly { readonly play: number; readonly batch: number; readonly batches?: number; readonly hosts: readonly BatchHost[] }[]
}

type BatchHost = Pick<RunHost, 'host' | 'status' | 'message' | 'play'>

const FAILED = new Set(['failed', 'unreachable'])

/** The first value under one of `names`, searching the plan a few levels deep. */
function findKey(value: unknown, names: readonly string[], depth = 3): unknown {
  if (typeof value !== 'object' || value === null || depth < 0) return undefined
  for (const name of names) if (name in value) return (value as Record<string, unknown>)[name]
  for (const child of Object.values(value)) {
    const found = findKey(child, names, depth - 1)
    if (found !== undefined) return found
  }
  return undefined
}

function budgetOf(plan: unknown, used: number, totalHosts: number): RunView['budget'] {
  let declared = findKey(plan, ['errorBudget', 'error_budget', 'budget'])
  if (typeof declared === 'object' && declared !== null) {
    const inner = declared as Record<string, unknown>
    if (typeof inner.used === 'number') used = inner.used
    declared = inner.allowed ?? inner.hosts ?? inner.value ?? inner.declared
  }
  if (typeof declared === 'number') return { used, allowed: declared, declared: String(declared) }
  if (typeof declared === 'string') {
    const percent = /^(\d+(?:\.\d+)?)%$/.exec(declared.trim())
    const allowed = percent ? Math.floor((Number(percent[1]) / 100) * totalHosts) : Number.isFinite(Number(declared)) ? Number(declared) : undefined
    return { used, declared, ...(allowed !== undefined && { allowed }) }
  }
  return used > 0 ? { used } : undefined
}

/** The planned batch count of one play (the rollout plan's `plays[i].batches`). */
function playBatches(plan: unknown, play: number): number | undefined {
  const plays = (plan as { plays?: unknown } | null)?.plays
  const batches = Array.isArray(plays) ? (plays[play] as { batches?: unknown } | undefined)?.batches : undefined
  return Array.isArray(batches) ? batches.length : undefined
}

function batchesOf(plan: unknown, seen: number): number | undefined {
  const planned = findKey(plan, ['batches'])
  const fromPlan = Array.isArray(planned) ? planned.length : typeof planned === 'number' ? planned : undefined
  const n = Math.max(fromPlan ?? 0, seen)
  return n > 0 ? n : undefined
}

export interface RunViewInput {
  readonly run: RunRecord
  /** Every host row of the run (a run's own page); absent in a list of runs. */
  readonly hosts?: readonly RunHost[]
  /** Hosts per status and the highest batch seen (enough for a list of runs). */
  readonly counts: { readonly byStatus: Readonly<Record<string, number>>; readonly batches: number; readonly current: number }
  /** The state dir the page reads: the resume command names it unless it is the default. */
  readonly stateDir?: string
}

export function runView({ run, hosts, counts: { byStatus: counts, batches: seenBatches, current: batch }, stateDir }: RunViewInput): RunView {
  const list = hosts ?? []
  const batches = batchesOf(run.plan, seenBatches)
  const total = Object.values(counts).reduce((sum, n) => sum + n, 0)
  const used = Object.entries(counts).filter(([k]) => FAILED.has(k)).reduce((sum, [, n]) => sum + n, 0)
  // A run still marked running may have lost its controller: not knowable here.
  const resumable = isResumable(run, () => false)
  const given = findKey(run.plan, ['resumeCommand', 'resume_command'], 1)
  const resumeCommand = typeof given === 'string' ? given : resumeCommandOf(run.id, stateDir, process.env, shownExtraVars(run.plan))
  const byBatch = new Map<string, { play: number; batch: number; hosts: BatchHost[] }>()
  for (const h of list) {
    const key = `${h.play}:${h.batch}`
    const entry = byBatch.get(key) ?? byBatch.set(key, { play: h.play, batch: h.batch, hosts: [] }).get(key)!
    entry.hosts.push({ host: h.host, status: h.status, play: h.play, ...(h.message !== undefined && { message: h.message }) })
  }
  const budget = budgetOf(run.plan, used, total)
  return {
    id: run.id, kind: run.kind, playbook: run.playbook, startedAt: run.startedAt, status: run.status,
    ...(run.finishedAt !== undefined && { finishedAt: run.finishedAt }),
    ...(run.exitCode !== undefined && { exitCode: run.exitCode }),
    ...(run.reason !== undefined && { reason: run.reason }),
    ...(batch > 0 && { batch }),
    ...(batches !== undefined && { batches }),
    counts,
    ...(budget !== undefined && { budget }),
    ...(resumable && { resumeCommand }),
    ...(hosts !== undefined && {
      hostsByBatch: [...byBatch.values()].sort((a, b) => a.play - b.play || a.batch - b.batch).map((entry) => {
        const planned = playBatches(run.plan, entry.play)
        return { ...entry, ...(planned !== undefined && { batches: planned }) }
      }),
    }),
  }
}
