/**
 * Ansible's controller-side actions, run without touching the host: debug, set_fact, assert,
 * fail. set_fact stores its (already rendered) values as the host's facts: data from then on,
 * never rendered again.
 */
import { ConfigError } from '../errors.js'
import type { ModuleTask, Vars } from '../playbook/model.js'
import { evaluateCondition, evaluateExpression, hostDataRead, isTemplate, renderValue } from '../template/playbook.js'
import type { TaskOutcome } from './outcome.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { abortReason } from '../transport/types.js'

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

function ok(message: string | undefined, result: Mapping): TaskOutcome {
  return { status: 'ok', changes: [], ...(message !== undefined ? { message } : {}), result: { changed: false, failed: false, ...result } }
}

function failed(message: string, result: Mapping = {}): TaskOutcome {
  return { status: 'failed', changes: [], message, result: { changed: false, failed: true, msg: message, ...result } }
}

/** What `debug: var:` may name once rendered: a variable and its attributes or keys. */
const VARIABLE_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*|\[(?:\d+|'[^'\\]*'|"[^"\\]*")\])*$/

/**
 * `debug: var:` as in Ansible: an expression as written (`var: result.stdout`), or a template
 * that renders to a variable's name (`var: "{{ which }}"`). A name that came from the host, or
 * a rendered string that is not a name, is refused: host text is never evaluated.
 */
function debugVar(task: ModuleTask, vars: Vars): { name: string; expression: string } | TaskOutcome {
  const authored = isMapping(task.args) ? task.args.var : undefined
  if (typeof authored !== 'string') return failed('debug: `var` takes a variable name')
  if (!isTemplate(authored)) return { name: authored, expression: authored }
  const fromHost = hostDataRead(authored, vars)
  if (fromHost !== undefined) {
    return failed(`debug: \`var: ${authored}\` takes a variable name, and this one comes from \`${fromHost}\`, a value from the host; use \`msg: "{{ ${authored.replace(/^\s*\{\{\s*|\s*\}\}\s*$/g, '')} }}"\` to print it`)
  }
  const rendered = renderValue(authored, vars, task.argsSource)
  if (typeof rendered !== 'string' || !VARIABLE_PATH.test(rendered)) {
    return failed(`debug: \`var: ${authored}\` must render to a variable name, got ${JSON.stringify(rendered)?.slice(0, 80)}`)
  }
  return { name: rendered, expression: rendered }
}

function debug(task: ModuleTask, spec: Mapping, vars: Vars): TaskOutcome {
  if (spec.var !== undefined) {
    const target = debugVar(task, vars)
    if ('status' in target) return target
    let value: unknown
    try {
      value = evaluateExpression(target.expression, vars, task.argsSource)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      value = 'VARIABLE IS NOT DEFINED!'
    }
    return ok(`${target.name}: ${text(value)}`, { [target.name]: value })
  }
  const msg = spec.msg ?? 'Hello world!'
  return ok(text(msg), { msg })
}

function assert(task: ModuleTask, spec: Mapping, vars: Vars): TaskOutcome {
  // `that` as written, never its rendering: an expression is evaluated once, like `when:`.
  const raw = isMapping(task.args) ? task.args.that : undefined
  const that = Array.isArray(raw) ? raw : [raw]
  for (const expr of that) {
    const holds = typeof expr === 'boolean' ? expr : evaluateCondition(String(expr), vars, task.argsSource)
    if (!holds) {
      const msg = spec.fail_msg ?? spec.msg
      return failed(msg !== undefined ? text(msg) : `Assertion failed: ${String(expr)}`, { assertion: expr, evaluated_to: false })
    }
  }
  return ok(text(spec.success_msg ?? 'All assertions passed'), { msg: spec.success_msg ?? 'All assertions passed' })
}

/** Runs one of the actions; `facts` receives set_fact's variables for the host. */
/**
 * Ansible's `pause` with seconds or minutes: a wait on the controller, cut short by Ctrl-C. A
 * prompt is refused: the run's output owns the terminal, and an unattended run has none.
 */
export async function runPause(spec: unknown, interrupt: AbortSignal): Promise<TaskOutcome> {
  const args = isMapping(spec) ? spec : {}
  if (args.prompt !== undefined) return failed('pause: `prompt` is not in tend: it never reads the terminal during a run; pass the value with -e (or use `seconds`)')
  const seconds = typeof args.minutes === 'number' ? args.minutes * 60 : typeof args.seconds === 'number' ? args.seconds : undefined
  if (seconds === undefined) return failed('pause: give `seconds` or `minutes` (a pause without them waits for a prompt, which tend does not read)')
  const start = new Date()
  await sleep(seconds * 1000, undefined, { signal: interrupt }).catch(() => undefined)
  const stop = new Date()
  const delta = Math.round((stop.getTime() - start.getTime()) / 1000)
  const result = { delta, echo: true, rc: 0, start: start.toISOString(), stop: stop.toISOString(), user_input: '' }
  if (interrupt.aborted) return failed(`pause cut short after ${delta} s: ${abortReason(interrupt)}`, result)
  return ok(undefined, { ...result, stdout: `Paused for ${seconds} seconds` })
}

export function runAction(task: ModuleTask, spec: unknown, vars: Vars): TaskOutcome {
  const args = isMapping(spec) ? spec : {}
  switch (task.module) {
    case 'debug':
      return debug(task, args, vars)
    case 'assert':
      return assert(task, args, vars)
    case 'fail':
      return failed(text(args.msg ?? 'Failed as requested from task'))
    case 'set_fact': {
      const { cacheable: _c, ...facts } = args
      return ok(undefined, { ansible_facts: facts })
    }
    default:
      throw new Error(`internal: ${task.module} is not a controller action`)
  }
}
