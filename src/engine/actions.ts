/**
 * Ansible's controller-side actions, run without touching the host: debug, set_fact, assert,
 * fail. set_fact stores its (already rendered) values as the host's facts: data from then on,
 * never rendered again.
 */
import { ConfigError } from '../errors.js'
import type { ModuleTask, Vars } from '../playbook/model.js'
import { evaluateCondition, evaluateExpression } from '../playbook/template.js'
import type { TaskOutcome } from './outcome.js'

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v))

function ok(message: string | undefined, result: Mapping): TaskOutcome {
  return { status: 'ok', changes: [], ...(message !== undefined ? { message } : {}), result: { changed: false, failed: false, ...result } }
}

function failed(message: string, result: Mapping = {}): TaskOutcome {
  return { status: 'failed', changes: [], message, result: { changed: false, failed: true, msg: message, ...result } }
}

function debug(task: ModuleTask, spec: Mapping, vars: Vars): TaskOutcome {
  if (typeof spec.var === 'string') {
    let value: unknown
    try {
      value = evaluateExpression(spec.var, vars, task.argsSource)
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error
      value = 'VARIABLE IS NOT DEFINED!'
    }
    return ok(`${spec.var}: ${text(value)}`, { [spec.var]: value })
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
