import { setTimeout as sleep } from 'node:timers/promises'
import type { AnyModule, Change, ModuleContext } from '../modules/types.js'

/** What the module contract produced for one attempt of one task. */
export interface Convergence {
  readonly status: 'ok' | 'changed' | 'failed' | 'skipped'
  /** Applied changes, or under --check the planned ones; for a failure, what remains. */
  readonly changes: readonly Change[]
  readonly message?: string
  /** apply's data (rc, stdout…) merged with module.facts(observed). */
  readonly data: Readonly<Record<string, unknown>>
}

const POLL_MS = 500

/**
 * Waits before the next poll, or returns false when the deadline or an abort leaves no time:
 * no room for another probe as long as the last one took (it would be cut off half-way).
 */
async function pause(ctx: ModuleContext, until: number = ctx.deadline, probeMs = 0): Promise<boolean> {
  const left = until - Date.now()
  if (left <= probeMs || ctx.signal.aborted) return false
  await sleep(Math.min(POLL_MS, left - probeMs), undefined, { signal: ctx.signal }).catch(() => undefined)
  return !ctx.signal.aborted && Date.now() + probeMs < until
}

function factsOf(module: AnyModule, observed: unknown): Readonly<Record<string, unknown>> {
  return module.facts ? module.facts(observed) : {}
}

/**
 * Probe + diff until converged or the deadline: "not yet" is polled on, not a failure. A probe cut
 * off by the deadline leaves the previous observation as the verdict.
 */
async function pollUntilConverged(module: AnyModule, ctx: ModuleContext, spec: unknown, until: number = ctx.deadline) {
  let last: { left: readonly Change[]; facts: Readonly<Record<string, unknown>> } | undefined
  for (;;) {
    const started = Date.now()
    let observed: unknown
    try {
      observed = await module.probe(ctx, spec)
    } catch (error) {
      if (last !== undefined && ctx.signal.aborted) return last
      throw error
    }
    last = { left: module.diff(spec, observed), facts: factsOf(module, observed) }
    if (last.left.length === 0 || !(await pause(ctx, until, Date.now() - started))) return last
  }
}

/** A gate polls for its own window (http `within`) when it has one, never past the deadline. */
function gateWindowEnd(module: AnyModule, ctx: ModuleContext, spec: unknown): number {
  const seconds = module.pollSeconds?.(spec)
  return seconds === undefined ? ctx.deadline : Math.min(ctx.deadline, Date.now() + seconds * 1000)
}

async function verifyApplied(module: AnyModule, ctx: ModuleContext, spec: unknown) {
  if (!module.verify) {
    const { left, facts } = await pollUntilConverged(module, ctx, spec)
    return { problems: left.map((c) => c.summary), facts }
  }
  for (;;) {
    const problems = await module.verify(ctx, spec)
    if (problems.length === 0 || !(await pause(ctx))) return { problems, facts: {} }
  }
}

function failedWith(what: string, problems: readonly string[]): string {
  return problems.length === 0 ? what : `${what}:\n  - ${problems.join('\n  - ')}`
}

/** Runs every planned change in order; stops at the first one apply reports as failed. */
async function applyAll(module: AnyModule, ctx: ModuleContext, spec: unknown, changes: readonly Change[]) {
  const apply = module.apply as NonNullable<AnyModule['apply']>
  let data: Record<string, unknown> = {}
  for (const change of changes) {
    const result = (await apply.call(module, ctx, change, spec)) ?? {}
    data = { ...data, ...result.data }
    if (result.failed !== undefined) return { data, failed: `${change.summary}: ${result.failed}` }
  }
  return { data, failed: undefined }
}

/** How the engine runs this task: --check, and whether this host already has planned changes. */
export interface ConvergeMode {
  readonly check: boolean
  /** Under --check: earlier tasks on this host planned changes that were not made. */
  readonly afterPlannedChanges: boolean
}

/**
 * A gate under --check after planned changes judges a state the plan would change: it probes once
 * (no waiting) and a miss is reported as pending on the plan, not as a failure of the host.
 */
async function gate(module: AnyModule, ctx: ModuleContext, spec: unknown, mode: ConvergeMode): Promise<Convergence> {
  const pending = mode.check && mode.afterPlannedChanges
  const until = pending ? Date.now() : gateWindowEnd(module, ctx, spec)
  const { left, facts } = await pollUntilConverged(module, ctx, spec, until)
  if (left.length === 0) return { status: 'ok', changes: [], data: facts }
  const problems = left.map((c) => c.summary)
  if (pending) return { status: 'skipped', changes: [], data: facts, message: failedWith('not judged: depends on the changes planned above; now', problems) }
  return { status: 'failed', changes: [], data: facts, message: failedWith('not as declared', problems) }
}

/**
 * The module contract for one task: probe → diff; empty is ok. A gate (no apply) polls until
 * empty or its window. Otherwise --check reports the plan as changed and never applies; a real
 * run applies each change in order, then verifies by observing again.
 */
export async function converge(module: AnyModule, ctx: ModuleContext, spec: unknown, mode: ConvergeMode): Promise<Convergence> {
  if (!module.apply) return gate(module, ctx, spec, mode)
  const observed = await module.probe(ctx, spec)
  const planned = module.diff(spec, observed)
  const facts = factsOf(module, observed)
  if (planned.length === 0) return { status: 'ok', changes: [], data: facts }
  if (mode.check) return { status: 'changed', changes: planned, data: facts }
  const applied = await applyAll(module, ctx, spec, planned)
  if (applied.failed !== undefined) return { status: 'failed', changes: planned, data: { ...facts, ...applied.data }, message: applied.failed }
  const { problems, facts: after } = await verifyApplied(module, ctx, spec)
  const data = { ...applied.data, ...facts, ...after }
  if (problems.length === 0) return { status: 'changed', changes: planned, data }
  return { status: 'failed', changes: planned, data, message: failedWith('still not as declared after applying', problems) }
}
