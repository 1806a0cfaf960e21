import { setTimeout as sleep } from 'node:timers/promises'
import type { AnyModule, Change, ModuleContext } from '../modules/types.js'
import { UnreachableError, abortReason } from '../transport/types.js'
import { pollDelayMs, waitOrAbort } from './poll.js'
import type { TaskContexts } from './context.js'

/** What the module contract produced for one attempt of one task. */
export interface Convergence {
  readonly status: 'ok' | 'changed' | 'failed' | 'skipped'
  /** Applied changes, or under --check the planned ones; for a failure, what remains. */
  readonly changes: readonly Change[]
  readonly message?: string
  /** apply's data (rc, stdout…) merged with module.facts(observed). */
  readonly data: Readonly<Record<string, unknown>>
  /** The message already says why the task was cut short (the judge adds nothing). */
  readonly explained?: boolean
}

/** The task's deadline in epoch ms, from what the context says is left (the one way it travels). */
const deadlineOf = (ctx: ModuleContext): number => Date.now() + ctx.remainingMs()

/**
 * Waits before poll number `attempt` + 1, or returns false when the deadline or an abort leaves no
 * time: no room for another probe as long as the last one took (it would be cut off half-way).
 */
async function pause(ctx: ModuleContext, attempt: number, until: number = deadlineOf(ctx), probeMs = 0): Promise<boolean> {
  const left = until - Date.now()
  if (left <= probeMs || ctx.signal.aborted) return false
  await sleep(Math.min(pollDelayMs(attempt), left - probeMs), undefined, { signal: ctx.signal }).catch(() => undefined)
  return !ctx.signal.aborted && Date.now() + probeMs < until
}

function factsOf(module: AnyModule, observed: unknown): Readonly<Record<string, unknown>> {
  return module.facts ? module.facts(observed) : {}
}

/**
 * One observation: the probe, and while the module says "not yet" (`again`), a wait and another
 * probe given the one before (port's owner still binding, stable's window). Every such loop is
 * this one. A wait cut short by the deadline or an interrupt throws the signal's reason: the task
 * was cut short. Once no time is left, the last observation is the verdict.
 */
async function observe(module: AnyModule, ctx: ModuleContext, spec: unknown, previous?: unknown): Promise<unknown> {
  let observed = await module.probe(ctx, spec, previous)
  for (let ms = module.again?.(spec, observed); ms !== undefined && ctx.remainingMs() > 0; ms = module.again?.(spec, observed)) {
    await waitOrAbort(ms, ctx.signal)
    observed = await module.probe(ctx, spec, observed)
  }
  return observed
}

/**
 * Observe + diff until converged or the deadline: "not yet" is polled on, not a failure. A probe
 * cut off by the deadline leaves the previous observation as the verdict.
 */
async function pollUntilConverged(module: AnyModule, ctx: ModuleContext, spec: unknown, until: number = deadlineOf(ctx)) {
  let last: { observed: unknown; left: readonly Change[]; facts: Readonly<Record<string, unknown>> } | undefined
  for (let attempt = 0; ; attempt++) {
    const started = Date.now()
    let observed: unknown
    try {
      observed = await observe(module, ctx, spec, last?.observed)
    } catch (error) {
      if (last !== undefined && ctx.signal.aborted) return last
      throw error
    }
    last = { observed, left: module.diff(spec, observed), facts: factsOf(module, observed) }
    if (last.left.length === 0 || !(await pause(ctx, attempt, until, Date.now() - started))) return last
  }
}

/** A gate polls for its own window (http `within`) when it has one, never past the deadline. */
function gateWindowEnd(module: AnyModule, ctx: ModuleContext, spec: unknown): number {
  const seconds = module.pollSeconds?.(spec)
  return seconds === undefined ? deadlineOf(ctx) : Date.now() + Math.min(ctx.remainingMs(), seconds * 1000)
}

async function verifyApplied(module: AnyModule, ctx: ModuleContext, spec: unknown) {
  if (!module.verify) {
    const { left, facts } = await pollUntilConverged(module, ctx, spec)
    return { problems: left.map((c) => c.summary), facts }
  }
  let last: readonly string[] | undefined
  for (let attempt = 0; ; attempt++) {
    let problems: readonly string[]
    try {
      problems = await module.verify(ctx, spec)
    } catch (error) {
      // A verify cut off by the deadline leaves the previous answer as the verdict.
      if (last !== undefined && ctx.signal.aborted) return { problems: last, facts: {} }
      throw error
    }
    last = problems
    if (problems.length === 0 || !(await pause(ctx, attempt))) return { problems, facts: {} }
  }
}

function failedWith(what: string, problems: readonly string[]): string {
  return problems.length === 0 ? what : `${what}:\n  - ${problems.join('\n  - ')}`
}

/**
 * Where a cut-off apply left the host, in words: the changes done, the one in hand (its outcome is
 * unknown: the command was stopped half-way), and those never started.
 */
function cutOff(changes: readonly Change[], done: number): string {
  const during = changes[done]
  const lines = [`cut off while applying: ${during?.summary ?? '?'} (its outcome is unknown: check the host)`]
  lines.push(`done: ${changes.slice(0, done).map((c) => c.summary).join('; ') || 'nothing'}`)
  lines.push(`not started: ${changes.slice(done + 1).map((c) => c.summary).join('; ') || 'nothing'}`)
  return lines.join('\n  ')
}

/**
 * Runs every planned change in order, as one unit: a first interrupt does not stop it (its
 * context's signal is the change signal), the deadline or an abandon does, and then the failure
 * says what was done and what not (the judge prefixes why). Stops at the first change apply reports as failed.
 */
async function applyAll(module: AnyModule, ctx: ModuleContext, spec: unknown, changes: readonly Change[]) {
  const apply = module.apply as NonNullable<AnyModule['apply']>
  let data: Record<string, unknown> = {}
  for (const [index, change] of changes.entries()) {
    let result
    try {
      result = (await apply.call(module, ctx, change, spec)) ?? {}
    } catch (error) {
      // The host went away under the change: say what state it may be in, then let it count as unreachable.
      if (error instanceof UnreachableError) throw new UnreachableError(error.host, error.reason, `${error.message}\n  ${cutOff(changes, index)}`, error.hint)
      if (!ctx.signal.aborted) throw error
      return { data, failed: cutOff(changes, index), explained: false }
    }
    data = { ...data, ...result.data }
    if (result.failed !== undefined && ctx.signal.aborted) return { data, failed: cutOff(changes, index), explained: false }
    if (result.failed !== undefined) return { data, failed: `${change.summary}: ${result.failed}`, explained: false }
  }
  return { data, failed: undefined, explained: false }
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

/** The read context and the change context (apply + verify); one context serves as both. */
function phases(ctx: ModuleContext | TaskContexts): TaskContexts {
  return 'observe' in ctx ? ctx : { observe: ctx, change: ctx }
}

/**
 * The module contract for one task: probe → diff; empty is ok. A gate (no apply) polls until
 * empty or its window. Otherwise --check reports the plan as changed and never applies (a change
 * only making it would show is skipped: Module.unpredictable); a real
 * run applies each change in order, then verifies by observing again. Probing stops at the first
 * interrupt; once applying has begun, the task's changes and their verification run to the end
 * (see context.ts): an interrupt never leaves a rogue evicted and its owner not restarted.
 */
export async function converge(module: AnyModule, contexts: ModuleContext | TaskContexts, spec: unknown, mode: ConvergeMode): Promise<Convergence> {
  const { observe: ctx, change } = phases(contexts)
  if (!module.apply) return gate(module, ctx, spec, mode)
  const observed = await observe(module, ctx, spec)
  const planned = module.diff(spec, observed)
  const facts = factsOf(module, observed)
  if (planned.length === 0) return { status: 'ok', changes: [], data: facts }
  const unpredictable = mode.check ? module.unpredictable?.(spec) : undefined
  if (unpredictable) return { status: 'skipped', changes: [], data: { ...facts, ...unpredictable.data }, message: unpredictable.message, explained: true }
  if (mode.check) return { status: 'changed', changes: planned, data: facts }
  if (ctx.signal.aborted) {
    const message = `${abortReason(ctx.signal)} before applying: nothing was changed (planned: ${planned.map((c) => c.summary).join('; ')})`
    return { status: change.signal.aborted ? 'failed' : 'skipped', changes: [], data: facts, message, explained: true }
  }
  const applied = await applyAll(module, change, spec, planned)
  if (applied.failed !== undefined) {
    return { status: 'failed', changes: planned, data: { ...facts, ...applied.data }, message: withWarnings(applied.failed, applied.data), explained: applied.explained }
  }
  const { problems, facts: after } = await verifyApplied(module, change, spec)
  const data = { ...applied.data, ...facts, ...after }
  // Finished after the first interrupt: say so, the run stops after this task.
  const finished = ctx.signal.aborted && !change.signal.aborted ? `${abortReason(ctx.signal)}: this task's changes were finished; nothing new starts` : undefined
  if (problems.length === 0) {
    const message = withWarnings(finished, data)
    return { status: 'changed', changes: planned, data, ...(message !== undefined && { message }), ...(finished !== undefined && { explained: true }) }
  }
  const message = failedWith('still not as declared after applying', problems)
  return { status: 'failed', changes: planned, data, message: finished === undefined ? message : `${finished}\n${message}`, explained: finished !== undefined }
}

/** A result's `warnings` (output cut at the cap) said in the task's message, after what it says. */
function withWarnings(message: string | undefined, data: Readonly<Record<string, unknown>>): string | undefined {
  const warnings = Array.isArray(data.warnings) ? data.warnings.filter((w): w is string => typeof w === 'string') : []
  if (warnings.length === 0) return message
  return [message, ...warnings.map((w) => `warning: ${w}`)].filter((line) => line !== undefined).join('\n')
}
