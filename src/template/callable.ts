/**
 * The only things a template can call: tend's filters, tests, globals and methods, each declared
 * with Python-style parameters so `f(1, b=2)` binds as Jinja would, and the template's macros.
 */
import { TemplateError } from './errors.js'
import { Undefined, type Mapping } from './values.js'

/** What a running render lends to the functions it calls. */
export interface CallContext {
  /** Charges work to the render's step budget (one unit per element handled, roughly). */
  charge(steps: number): void
  /** Applies a filter or test by name (for map/select/selectattr), with the same checks as the template. */
  filter(name: string, input: unknown, args: readonly unknown[], kwargs?: Mapping): unknown
  test(name: string, input: unknown, args: readonly unknown[], kwargs?: Mapping): boolean
  /** The render's seeded services: reading controller files (lookup), random seeds. */
  readonly services: RenderServices
}

/** What a render may do outside its data, given by the caller; absent = refused with a clear error. */
export interface RenderServices {
  /** Reads a controller file for lookup('file'|'template'): the caller checks paths and taint. */
  readonly readControllerFile?: (path: string, plugin: string) => string
  /** Renders a template file's text for lookup('template') with the current variables. */
  readonly renderTemplateText?: (text: string, file: string) => string
  /** The environment for lookup('env'). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Variables for lookup('vars'). */
  readonly variable?: (name: string) => unknown
}

export interface Callable {
  /**
   * Parameter names in order, the input first for filters and tests. `*rest` collects further
   * positional arguments, `**named` further keyword arguments. Unknown keywords are an error.
   */
  readonly params: readonly string[]
  /** May the input (and arguments) be undefined? Only default/mandatory/defined-like ones. */
  readonly acceptsUndefined?: boolean
  readonly fn: (ctx: CallContext, ...args: unknown[]) => unknown
}

export type CallableTable = Readonly<Record<string, Callable>>

/** Declares a callable: `define(['value', 'default_value', 'boolean'], (ctx, v, d = '', b = false) => …)`. */
export function define(params: readonly string[], fn: Callable['fn'], options: { acceptsUndefined?: boolean } = {}): Callable {
  return { params, fn, ...options }
}

/**
 * Binds positional and keyword arguments to a callable's parameters, as Python does. A parameter
 * not given is `undefined` (JavaScript's), so the function's own default applies.
 */
export function bindArgs(callable: Callable, what: string, positional: readonly unknown[], named: Mapping): unknown[] {
  const params = callable.params
  const restAt = params.findIndex((p) => p.startsWith('*') && !p.startsWith('**'))
  const named2At = params.findIndex((p) => p.startsWith('**'))
  const fixed = params.filter((p) => !p.startsWith('*'))
  const out: unknown[] = new Array(params.length).fill(undefined)
  const fixedCount = restAt === -1 ? fixed.length : restAt
  if (restAt === -1 && positional.length > fixedCount) {
    throw new TemplateError(`${what} takes at most ${Math.max(0, fixedCount - 1)} argument${fixedCount === 2 ? '' : 's'} (${Math.max(0, positional.length - 1)} given)`)
  }
  for (let i = 0; i < Math.min(positional.length, fixedCount); i++) out[i] = positional[i]
  if (restAt !== -1) out[restAt] = positional.slice(fixedCount)
  const extra: Mapping = {}
  for (const [key, value] of Object.entries(named)) {
    const index = params.indexOf(key)
    if (index === -1 || index === restAt || index === named2At) {
      if (named2At === -1) throw new TemplateError(`${what} got an unexpected keyword argument '${key}'`)
      // An own property even for `__proto__`, which an assignment would take as the prototype.
      Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true })
      continue
    }
    if (index < positional.length && index < fixedCount) throw new TemplateError(`${what} got multiple values for argument '${key}'`)
    out[index] = value
  }
  if (named2At !== -1) out[named2At] = extra
  if (!callable.acceptsUndefined) {
    for (const value of out) if (value instanceof Undefined) throw new TemplateError(value.message(), { undefinedName: value.name })
  }
  return out
}
