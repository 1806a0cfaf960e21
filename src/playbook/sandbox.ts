import type Nunjucks from 'nunjucks'
import { nunjucks } from './nunjucks-lazy.js'

/**
 * The closed world a template runs in. nunjucks compiles a template to JavaScript that reaches
 * values only through four runtime functions (variable lookup, member lookup, call, `in`) and the
 * environment's filter and test tables. All four are replaced here, once, for the whole process,
 * and the tables hold only tend's own functions. So a template sees plain data and nothing else:
 * no function, prototype, constructor or global is ever a value in it, whatever it is written like.
 * What cannot be closed at runtime (macros, includes, calls) is refused before rendering.
 */

/** A plain container: a JSON-like object or array (also the `hostvars` proxy, whose target is `{}`). */
function isContainer(value: unknown): value is object {
  if (Array.isArray(value)) return true
  if (value === null || typeof value !== 'object') return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Values that may exist inside a template: never a function or symbol. */
export function data(value: unknown): unknown {
  return typeof value === 'function' || typeof value === 'symbol' ? undefined : value
}

/**
 * THE member check, used for `a.b`, `a[b]` and variable names alike: only an own, enumerable data
 * property (no getter) of a plain object or array, or a string's length and characters. The key
 * must be a string or a number, so no key object's `toString`/`valueOf` is ever called.
 */
export function dataMember(obj: unknown, key: unknown): unknown {
  if (typeof key !== 'string' && typeof key !== 'number') return undefined
  if (typeof obj === 'string') {
    if (key === 'length') return obj.length
    const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : Number.NaN
    return Number.isInteger(index) && index >= 0 && index < obj.length ? obj[index] : undefined
  }
  if (!isContainer(obj)) return undefined
  const own = Object.getOwnPropertyDescriptor(obj, String(key))
  if (own === undefined || !own.enumerable || !('value' in own)) return undefined
  return data(own.value)
}

/** Functions a template may call by name (`range(3)`); a call of anything else is refused. */
const MAX_RANGE = 100_000
export const templateFunctions: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.assign(Object.create(null) as object, {
  range(...args: unknown[]): number[] {
    const [start, stop, step] = (args.length === 1 ? [0, args[0], 1] : [args[0], args[1], args[2] ?? 1]).map(Number)
    if (![start, stop, step].every(Number.isFinite) || step === 0) throw new Error('range() takes finite numbers and a non-zero step')
    const out: number[] = []
    for (let i = start!; step! > 0 ? i < stop! : i > stop!; i += step!) {
      if (out.length >= MAX_RANGE) throw new Error(`range() is limited to ${MAX_RANGE} items`)
      out.push(i)
    }
    return out
  },
})

/** The variables the template being rendered reads (set around each render; rendering is synchronous). */
let scope: (name: string) => unknown = () => undefined

export function withScope<T>(lookup: (name: string) => unknown, work: () => T): T {
  const outer = scope
  scope = lookup
  try {
    return work()
  } finally {
    scope = outer
  }
}

interface Frame {
  readonly variables: Record<string, unknown>
  readonly parent?: Frame | null
}

/** `{% set %}`/`{% for %}` names first (own properties of nunjucks' frames), then the scope. */
function variable(frame: Frame | null | undefined, name: string): unknown {
  for (let f = frame; f; f = f.parent) {
    if (Object.prototype.hasOwnProperty.call(f.variables, name) && f.variables[name] !== undefined) return data(f.variables[name])
  }
  return data(scope(name))
}

function callByName(_callee: unknown, name: string, _context: unknown, args: unknown[]): unknown {
  const fn = Object.prototype.hasOwnProperty.call(templateFunctions, name) ? templateFunctions[name] : undefined
  if (fn === undefined) throw new Error(`\`${name}\` cannot be called: templates call only ${Object.keys(templateFunctions).join(', ')}()`)
  return fn(...args)
}

function inOperator(key: unknown, container: unknown): boolean {
  if (Array.isArray(container)) return container.includes(key)
  if (typeof container === 'string') return container.includes(String(key))
  if (isContainer(container)) return dataMember(container, key) !== undefined
  throw new Error('`in` needs a list, a string or a mapping on its right')
}

interface Runtime {
  memberLookup: (obj: unknown, key: unknown) => unknown
  contextOrFrameLookup: (context: unknown, frame: Frame, name: string) => unknown
  callWrap: (callee: unknown, name: string, context: unknown, args: unknown[]) => unknown
  inOperator: (key: unknown, container: unknown) => boolean
}

/**
 * Installed on nunjucks' shared runtime before the first environment exists, so every template
 * compiled in this process uses them (nunjucks itself loads on first use: nunjucks-lazy.ts).
 */
function closeRuntime(): void {
  const runtime = (nunjucks() as unknown as { runtime: Runtime }).runtime
  runtime.memberLookup = dataMember
  runtime.contextOrFrameLookup = (_context, frame, name) => variable(frame, name)
  runtime.callWrap = callByName
  runtime.inOperator = inOperator
}
let runtimeClosed = false

/** An environment whose filter, test and global tables hold exactly the given functions. */
export function closedEnvironment(filters: Readonly<Record<string, unknown>>, tests: Readonly<Record<string, unknown>>): Nunjucks.Environment {
  if (!runtimeClosed) closeRuntime()
  runtimeClosed = true
  const env = new (nunjucks().Environment)(null, { autoescape: false, throwOnUndefined: true })
  const tables = env as unknown as { filters: object; tests: object; globals: object }
  tables.filters = Object.assign(Object.create(null) as object, filters)
  tables.tests = Object.assign(Object.create(null) as object, tests)
  tables.globals = Object.create(null) as object
  return env
}
