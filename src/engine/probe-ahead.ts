/**
 * Probes taken ahead: when a host reaches a task whose probe was not taken yet, the engine looks
 * at the run of read-mostly tasks that follows (unit, port, fresh, http, journal, stable…), asks
 * each task's module for its probe commands (Module.probeAhead) and runs them all as one script,
 * alongside the quick reads that have no command (http): one round trip for the lot. Each task
 * then finds its first observation waiting. As soon as a task applies a change, every observation
 * taken ahead is dropped: the tasks after it probe again (a probe never sees the world as it was
 * before an apply). A task that ends up rendered differently than when it was taken ahead (a
 * set_fact in between), or with another become, probes on its own.
 */
import { CONTROLLER_ACTIONS } from '../modules/actions.js'
import type { ModuleContext } from '../modules/types.js'
import type { BecomeSpec, ModuleTask, Task } from '../playbook/model.js'
import type { ExecResult } from '../transport/types.js'
import { descend } from './block-scope.js'
import { argvKey, batchArgv, parseBatch } from './probe-script.js'
import { prepareAhead } from './task.js'
import type { HostEnv, Prefetched, ProbesAhead, Scope, Upcoming } from './types.js'

interface Entry {
  readonly specJson: string
  readonly becomeUser: string | undefined
  readonly commands: readonly (readonly string[])[]
  readonly results: Promise<readonly ExecResult[] | undefined>
  readonly observed?: Promise<unknown>
}

/** Controller-side actions that cannot stop the host (debug, set_fact): the window goes past them. */
const PASSIVE = new Set([...CONTROLLER_ACTIONS].filter((name) => name !== 'fail' && name !== 'assert'))

export class ProbeAhead implements ProbesAhead {
  private window = new Set<Task>()
  private entries = new Map<ModuleTask, Entry>()

  /**
   * Called before each task with the tasks from it to the end of its list: when execution has left
   * the window taken ahead, drops what is left of it and takes the next window ahead.
   */
  /** `from`: the index in `tasks` of the task about to run (a slice per task would cost n² for n tasks). */
  async plan(env: HostEnv, tasks: readonly Task[], scope: Scope, from = 0): Promise<void> {
    const head = tasks[from]
    if (head === undefined || this.window.has(head)) return
    this.drop()
    const upcoming: Upcoming[] = []
    for (const { task, scope: inner } of walk(tasks, scope, from)) {
      this.window.add(task)
      if (task.type === 'block') continue
      if (task.type !== 'module') break
      if (PASSIVE.has(task.module)) continue
      const next = await prepareAhead(env, task, inner)
      if (next === 'skipped') continue
      if (next === undefined) break
      upcoming.push(next)
    }
    if (upcoming.length > 0) this.start(upcoming)
  }

  /** A change was applied (or may have been, half-way): nothing taken ahead is true any more. */
  drop(): void {
    this.window = new Set()
    this.entries = new Map()
  }

  /** The task's first observation, taken ahead, if it still describes the task as it runs now. */
  async take(task: ModuleTask, spec: unknown, become: BecomeSpec | undefined): Promise<Prefetched | undefined> {
    const entry = this.entries.get(task)
    this.entries.delete(task)
    if (entry === undefined || entry.specJson !== JSON.stringify(spec) || entry.becomeUser !== become?.user) return undefined
    const results = await entry.results
    if (results === undefined) return undefined
    const served = new Map(entry.commands.map((argv, i) => [argvKey(argv), results[i] as ExecResult]))
    return { served, ...(entry.observed !== undefined && { observed: entry.observed }) }
  }

  /**
   * Sends every upcoming probe at once: one script per become user (usually one), each distinct
   * command once (three tasks reading one unit read it once), and the whole probes beside it.
   */
  private start(upcoming: readonly Upcoming[]): void {
    const scripts = new Map<string | undefined, { ctx: ModuleContext; commands: (readonly string[])[]; at: Map<string, number> }>()
    const placed = upcoming.map((next) => {
      const { ahead } = next
      if ('whole' in ahead) return { next, commands: [], indexes: [] }
      const script = scripts.get(next.become?.user) ?? { ctx: next.ctx, commands: [], at: new Map<string, number>() }
      scripts.set(next.become?.user, script)
      const indexes = ahead.commands.map((argv) => {
        const key = argvKey(argv)
        if (!script.at.has(key)) script.at.set(key, script.commands.push(argv) - 1)
        return script.at.get(key) as number
      })
      return { next, commands: ahead.commands, indexes }
    })
    const runs = new Map([...scripts].map(([user, script]) => [user, runScript(script.ctx, script.commands)]))
    for (const { next, commands, indexes } of placed) {
      const whole = 'whole' in next.ahead
      const run = runs.get(next.become?.user)
      const results = whole || run === undefined ? Promise.resolve([])
        : run.then((all) => (all === undefined ? undefined : indexes.map((i) => all[i] as ExecResult)))
      const observed = whole ? next.module.probe(next.ctx, next.spec) : undefined
      // A whole probe that fails is taken again at the task's turn; no unhandled rejection here.
      observed?.catch(() => undefined)
      void Promise.allSettled([results, observed]).then(next.done)
      this.entries.set(next.task, {
        specJson: JSON.stringify(next.spec), becomeUser: next.become?.user, commands, results,
        ...(observed !== undefined && { observed }),
      })
    }
  }
}

async function runScript(ctx: ModuleContext, commands: readonly (readonly string[])[]): Promise<readonly ExecResult[] | undefined> {
  try {
    return parseBatch(await ctx.run(batchArgv(commands)), commands.length)
  } catch {
    // Unusable (no base64 on the host, a timeout, the connection lost): each task probes at its
    // own turn and meets whatever the host says then, with the usual error.
    return undefined
  }
}

/** The tasks from the head of `tasks` on, walking into what `descend` opens (static blocks). */
function* walk(tasks: readonly Task[], scope: Scope, from = 0): Generator<{ task: Task; scope: Scope }> {
  for (let i = from; i < tasks.length; i++) {
    const task = tasks[i]!
    yield { task, scope }
    const inner = descend(task, scope)
    if (inner !== undefined) yield* walk(inner.tasks, inner.scope)
    else if (task.type === 'block') return
  }
}
