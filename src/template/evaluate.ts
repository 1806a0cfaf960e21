/**
 * The evaluator: walks the parsed tree over plain data. There is no generated code: a template
 * can only read data (own data members, values.ts), call tend's filters, tests, globals and
 * methods (callable.ts), and its own macros. Every step is charged to a budget and every
 * character of output to another, so no template runs or grows without bound.
 */
import type { Args, Expr, Node, Param, Target, Template } from './ast.js'
import { bindArgs, type CallContext, type Callable, type CallableTable, type RenderServices } from './callable.js'
import { TemplateError } from './errors.js'
import { namesRead } from './names.js'
import { arithmetic, contains } from './operators.js'
import {
  compare, defined, equals, isMapping, isTuple, iterate, length, Macro, ownMember, repr, str, truthy, tuple, typeName, Undefined, type Mapping,
} from './values.js'

export interface Environment {
  readonly filters: CallableTable
  readonly tests: CallableTable
  readonly globals: CallableTable
  /** Python methods of strings, lists and dicts (`'a'.split()`, `d.items()`). */
  readonly methodOf: (target: unknown, name: string) => Callable | undefined
}

export interface Limits {
  /** Evaluation steps (nodes, loop turns, elements a filter handles) one render may take. */
  readonly steps: number
  /** Characters one render may produce, counting every intermediate string it builds. */
  readonly output: number
}

export const DEFAULT_LIMITS: Limits = { steps: 2_000_000, output: 16 * 1024 * 1024 }

export interface RenderOptions {
  readonly env: Environment
  /** A variable by name; JavaScript undefined when there is none. */
  readonly resolve: (name: string) => unknown
  readonly services?: RenderServices
  readonly limits?: Limits
  /**
   * `{% include %}`: the named template, parsed, and the key it is known by (its file path), so
   * a template including itself under another name is still a cycle; throws when it cannot be read.
   */
  readonly include?: (name: string) => { readonly template: Template; readonly key: string }
  /** Names being rendered, outermost first: an include of one of them is a cycle. */
  readonly includeStack?: readonly string[]
}

/** A global function as a value (`range`): opaque data that only a call can use. */
export class Builtin {
  constructor(readonly name: string) {}
  toString(): string {
    return `<built-in function ${this.name}>`
  }
}

/** A method read without calling it (`d.items`): Jinja's getattr finds methods before keys. */
export class BoundMethod {
  constructor(
    readonly target: unknown,
    readonly name: string,
    readonly method: Callable,
  ) {}
  toString(): string {
    return `<built-in method ${this.name} of ${typeName(this.target)} object>`
  }
}

/** `joiner(', ')`: returns '' the first time it is called, the separator after. */
export class Joiner {
  private used = false
  constructor(readonly separator: string) {}
  next(): string {
    if (this.used) return this.separator
    this.used = true
    return ''
  }
}

/** `cycler(a, b)`: `.next()` walks the items round, `.current` is the one `.next()` gives next. */
export class Cycler {
  private index = 0
  constructor(readonly items: readonly unknown[]) {}
  get current(): unknown {
    return this.items[this.index]
  }
  next(): unknown {
    const value = this.items[this.index]
    this.index = (this.index + 1) % this.items.length
    return value
  }
  reset(): void {
    this.index = 0
  }
}

/** `namespace(a=1)`: the one object a template may assign attributes to. */
export class Namespace {
  readonly values: Mapping = Object.create(null) as Mapping
  toString(): string {
    return `<Namespace {${Object.keys(this.values).map((k) => `${repr(k)}: ${repr(this.values[k])}`).join(', ')}}>`
  }
}

/** Jinja's `loop` inside a for. */
export class LoopContext {
  index0 = 0
  constructor(
    readonly items: readonly unknown[],
    readonly depth0: number,
    readonly recurse: ((items: unknown) => string) | undefined,
  ) {}

  field(name: string): unknown {
    const n = this.items.length
    const i = this.index0
    switch (name) {
      case 'index0':
        return i
      case 'index':
        return i + 1
      case 'revindex':
        return n - i
      case 'revindex0':
        return n - i - 1
      case 'first':
        return i === 0
      case 'last':
        return i === n - 1
      case 'length':
        return n
      case 'depth':
        return this.depth0 + 1
      case 'depth0':
        return this.depth0
      case 'previtem':
        return i > 0 ? this.items[i - 1] : new Undefined('loop.previtem', 'there is no previous item')
      case 'nextitem':
        return i < n - 1 ? this.items[i + 1] : new Undefined('loop.nextitem', 'there is no next item')
      default:
        return undefined
    }
  }

  private last: unknown[] | undefined
  changed(values: unknown[]): boolean {
    if (this.last !== undefined && equals(this.last, values)) return false
    this.last = values
    return true
  }
}

interface Frame {
  readonly vars: Map<string, unknown>
  readonly parent: Frame | undefined
}

const frame = (parent: Frame | undefined): Frame => ({ vars: new Map(), parent })

/** Methods that change their list or dict: only on containers this render built itself. */
const MUTATING = new Set(['append', 'extend', 'insert', 'pop', 'remove', 'clear', 'update', 'setdefault', 'sort', 'reverse', 'popitem'])
const MAX_CALL_DEPTH = 100

/** Appends strings to a render's output, charging each character to the shared budget. */
class Output {
  readonly parts: string[] = []
  constructor(private readonly render: Renderer) {}
  push(text: string): void {
    this.render.chargeOutput(text.length)
    this.parts.push(text)
  }
  text(): string {
    return this.parts.join('')
  }
}

/** FQCN prefixes that name tend's own filters and tests (`ansible.builtin.to_json`). */
const BUILTIN_PREFIXES = ['ansible.builtin.', 'ansible.legacy.']

export function callableName(name: string): string {
  for (const prefix of BUILTIN_PREFIXES) if (name.startsWith(prefix)) return name.slice(prefix.length)
  return name
}

export class Renderer implements CallContext {
  private steps = 0
  private produced = 0
  private callDepth = 0
  /** Lists and dicts this render created: the only ones `append`/`update` may change. */
  private readonly owned = new WeakSet<object>()
  /** Templates being included, innermost last (after the caller's includeStack). */
  private readonly including: string[] = []
  private readonly limits: Limits
  readonly services: RenderServices

  constructor(private readonly options: RenderOptions) {
    this.limits = options.limits ?? DEFAULT_LIMITS
    this.services = options.services ?? {}
  }

  // ---- budgets (CallContext) ----

  charge(steps: number): void {
    this.steps += steps
    if (this.steps > this.limits.steps) {
      throw new TemplateError(`template stopped after ${this.limits.steps.toLocaleString('en')} steps: it loops or recurses too much`, {
        budget: true,
        hint: 'Loops over very large ranges or nested loops multiply; render less, or build the data outside the template.',
      })
    }
  }

  chargeOutput(chars: number): void {
    this.produced += chars
    if (this.produced > this.limits.output) {
      throw new TemplateError(`template output passed ${(this.limits.output / 1024 / 1024).toFixed(0)} MiB`, { budget: true })
    }
  }

  /** A string about to be built from pieces: refused before it exists when it is too large. */
  checkSize(chars: number): void {
    if (chars > this.limits.output) throw new TemplateError(`a string of ${chars.toLocaleString('en')} characters is larger than a template may build`, { budget: true })
  }

  filter(name: string, input: unknown, args: readonly unknown[], kwargs: Mapping = {}): unknown {
    const f = lookupCallable(this.options.env.filters, name)
    if (f === undefined) throw new TemplateError(`no filter named '${name}'`)
    this.charge(1)
    return f.fn(this, ...bindArgs(f, `filter '${name}'`, [input, ...args], kwargs))
  }

  test(name: string, input: unknown, args: readonly unknown[], kwargs: Mapping = {}): boolean {
    const t = lookupCallable(this.options.env.tests, name)
    if (t === undefined) throw new TemplateError(`no test named '${name}'`)
    this.charge(1)
    return Boolean(t.fn(this, ...bindArgs(t, `test '${name}'`, [input, ...args], kwargs)))
  }

  // ---- entry points ----

  render(template: Template): string {
    const out = new Output(this)
    this.nodes(template.body, frame(undefined), out)
    return out.text()
  }

  evaluate(expr: Expr): unknown {
    return this.expr(expr, frame(undefined))
  }

  // ---- statements ----

  private nodes(nodes: readonly Node[], f: Frame, out: Output): void {
    for (const node of nodes) {
      this.charge(1)
      try {
        this.node(node, f, out)
      } catch (error) {
        throw placed(error, node.at)
      }
    }
  }

  private node(node: Node, f: Frame, out: Output): void {
    switch (node.kind) {
      case 'text':
        return out.push(node.value)
      case 'output': {
        const value = this.expr(node.expr, f)
        // Ansible's finalize: None prints as nothing at the top of an expression; so does an
        // inline `if` without `else` that was false.
        if (value === null || (value instanceof Undefined && value.printsEmpty)) return
        return out.push(str(defined(value)))
      }
      case 'if': {
        for (const branch of node.branches) {
          if (this.truth(this.expr(branch.test, f))) return this.nodes(branch.body, f, out)
        }
        return this.nodes(node.otherwise, f, out)
      }
      case 'for':
        return this.forLoop(node, f, out, this.expr(node.iter, f), 0)
      case 'set':
        return this.assign(node.target, this.expr(node.expr, f), f)
      case 'setblock': {
        const body = this.capture(node.body, frame(f))
        return this.assign(node.target, this.applyFilters(node.filters, body, f), f)
      }
      case 'macro':
        f.vars.set(node.name, this.macro(node.name, node.params, node.body, f))
        return
      case 'callblock':
        return out.push(str(this.callBlock(node.call, node.params, node.body, f)))
      case 'filterblock':
        return out.push(str(this.applyFilters(node.filters, this.capture(node.body, frame(f)), f)))
      case 'with': {
        const inner = frame(f)
        for (const [target, expr] of node.assignments) this.assign(target, this.expr(expr, f), inner)
        return this.nodes(node.body, inner, out)
      }
      case 'include':
        return this.include(node, f, out)
    }
  }

  private capture(body: readonly Node[], f: Frame): string {
    const out = new Output(this)
    this.nodes(body, f, out)
    return out.text()
  }

  private applyFilters(filters: readonly Expr[], value: unknown, f: Frame): unknown {
    let result = value
    for (const filter of filters) {
      if (filter.kind !== 'filter') continue
      result = this.applyFilter(filter, result, f)
    }
    return result
  }

  private forLoop(node: Extract<Node, { kind: 'for' }>, f: Frame, out: Output, iterable: unknown, depth: number): void {
    let items = iterate(defined(iterable))
    if (node.filter) {
      const test = node.filter
      items = items.filter((item) => {
        const scope = frame(f)
        this.assign(node.target, item, scope)
        return this.truth(this.expr(test, scope))
      })
    }
    if (items.length === 0) return this.nodes(node.otherwise, f, out)
    const recurse = node.recursive
      ? (children: unknown): string => {
          const inner = new Output(this)
          this.forLoop(node, f, inner, children, depth + 1)
          return inner.text()
        }
      : undefined
    const loop = new LoopContext(items, depth, recurse)
    for (let i = 0; i < items.length; i++) {
      this.charge(1)
      loop.index0 = i
      const scope = frame(f)
      scope.vars.set('loop', loop)
      this.assign(node.target, items[i], scope)
      this.nodes(node.body, scope, out)
    }
  }

  private assign(target: Target, value: unknown, f: Frame): void {
    if (target.kind === 'name') {
      f.vars.set(target.name, value)
      return
    }
    if (target.kind === 'nsattr') {
      const ns = this.lookup(target.name, f)
      if (!(ns instanceof Namespace)) throw new TemplateError(`cannot assign attribute on non-namespace object '${target.name}'`, { offset: target.at })
      Object.defineProperty(ns.values, target.attr, { value, enumerable: true, writable: true, configurable: true })
      return
    }
    const values = iterate(defined(value))
    if (values.length !== target.items.length) {
      throw new TemplateError(
        values.length > target.items.length
          ? `too many values to unpack (expected ${target.items.length})`
          : `not enough values to unpack (expected ${target.items.length}, got ${values.length})`,
        { offset: target.at },
      )
    }
    target.items.forEach((t, i) => this.assign(t, values[i], f))
  }

  private macro(name: string, params: readonly Param[], body: readonly Node[], closure: Frame): Macro {
    const catchVarargs = readsName(body, 'varargs')
    const catchKwargs = readsName(body, 'kwargs')
    const macro = new Macro(name, (args, kwargs, caller) => {
      if (args.length > params.length && !catchVarargs) throw new TemplateError(`macro '${name}' takes not more than ${params.length} argument(s)`)
      for (const key of Object.keys(kwargs)) {
        if (!params.some((p) => p.name === key) && !catchKwargs) throw new TemplateError(`macro '${name}' takes no keyword argument '${key}'`)
      }
      if (++this.callDepth > MAX_CALL_DEPTH) throw new TemplateError(`macro '${name}' calls itself more than ${MAX_CALL_DEPTH} levels deep`, { budget: true })
      try {
        const scope = frame(closure)
        const extra: Mapping = {}
        for (const [key, value] of Object.entries(kwargs)) {
          if (!params.some((p) => p.name === key)) Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true })
        }
        params.forEach((param, i) => {
          if (i < args.length) scope.vars.set(param.name, args[i])
          else if (Object.hasOwn(kwargs, param.name)) scope.vars.set(param.name, kwargs[param.name])
          else if (param.default) scope.vars.set(param.name, this.expr(param.default, scope))
          else scope.vars.set(param.name, new Undefined(param.name, `parameter '${param.name}' was not provided`))
        })
        scope.vars.set('varargs', tuple(args.slice(params.length)))
        scope.vars.set('kwargs', extra)
        if (caller) scope.vars.set('caller', caller)
        return this.capture(body, scope)
      } finally {
        this.callDepth -= 1
      }
    })
    macroShapes.set(macro, { params: params.map((p) => p.name), catchVarargs, catchKwargs, caller: readsName(body, 'caller') })
    return macro
  }

  private callBlock(call: Expr, params: readonly Param[], body: readonly Node[], f: Frame): unknown {
    if (call.kind !== 'call') throw new TemplateError('{% call %} needs a macro call')
    const callee = this.expr(call.callee, f)
    if (!(callee instanceof Macro)) throw new TemplateError('{% call %} can only call a macro')
    const caller = this.macro('caller', params, body, f)
    const { positional, named } = this.args(call, f)
    return callee.invoke(positional, named, caller)
  }

  private include(node: Extract<Node, { kind: 'include' }>, f: Frame, out: Output): void {
    const name = this.expr(node.template, f)
    const names = Array.isArray(name) ? name : [name]
    const load = this.options.include
    if (load === undefined) throw new TemplateError('{% include %} is not supported in tend templates outside template files')
    let lastError: unknown
    for (const candidate of names) {
      if (typeof candidate !== 'string') throw new TemplateError(`{% include %} needs a template name, got ${typeName(candidate)}`)
      let loaded: { template: Template; key: string }
      try {
        loaded = load(candidate)
      } catch (error) {
        lastError = error
        continue
      }
      const stack = [...(this.options.includeStack ?? []), ...this.including]
      if (stack.includes(loaded.key)) throw new TemplateError(`{% include '${candidate}' %} is a cycle: ${[...stack, loaded.key].join(' → ')}`, { budget: true })
      // With context (Jinja's default) the included template sees this one's names, loop
      // variables included; without, only the variables. Its own `set`s stay inside it.
      this.including.push(loaded.key)
      try {
        this.nodes(loaded.template.body, frame(node.withContext ? f : undefined), out)
      } catch (error) {
        if (!(error instanceof TemplateError)) throw error
        const inner = error.message.startsWith('in {% include') ? error.message : `in {% include '${candidate}' %}: ${error.message}`
        throw new TemplateError(inner, { ...error.detail, offset: node.at })
      } finally {
        this.including.pop()
      }
      return
    }
    if (node.ignoreMissing) return
    throw lastError instanceof TemplateError ? lastError : new TemplateError(`cannot include ${JSON.stringify(name)}: ${String(lastError)}`)
  }

  // ---- expressions ----

  /** Python's bool() where Ansible's undefined refuses to be tested. */
  private truth(value: unknown): boolean {
    return truthy(defined(value))
  }

  private lookup(name: string, f: Frame): unknown {
    for (let s: Frame | undefined = f; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name)
    const value = this.options.resolve(name)
    if (value !== undefined) return value
    if (Object.hasOwn(this.options.env.globals, name)) return new Builtin(name)
    return new Undefined(name)
  }

  expr(e: Expr, f: Frame): unknown {
    this.charge(1)
    try {
      return this.exprInner(e, f)
    } catch (error) {
      throw placed(error, e.at)
    }
  }

  private exprInner(e: Expr, f: Frame): unknown {
    switch (e.kind) {
      case 'literal':
        return e.value
      case 'name':
        return this.lookup(e.name, f)
      case 'list': {
        const list = e.items.map((item) => this.expr(item, f))
        this.owned.add(list)
        return list
      }
      case 'tuple':
        return tuple(e.items.map((item) => this.expr(item, f)))
      case 'dict': {
        const dict: Mapping = {}
        for (const [k, v] of e.pairs) {
          const key = defined(this.expr(k, f))
          if (key !== null && typeof key === 'object') throw new TemplateError(`unhashable type: '${typeName(key)}'`, { offset: k.at })
          Object.defineProperty(dict, str(key), { value: this.expr(v, f), enumerable: true, writable: true, configurable: true })
        }
        this.owned.add(dict)
        return dict
      }
      case 'attr':
        return this.attribute(this.expr(e.target, f), e.name, e)
      case 'item':
        return this.item(this.expr(e.target, f), this.expr(e.key, f), e)
      case 'slice':
        return this.slice(e, f)
      case 'call':
        return this.call(e, f)
      case 'filter':
        return this.applyFilter(e, e.target ? this.expr(e.target, f) : undefined, f)
      case 'test': {
        const test = lookupCallable(this.options.env.tests, e.name)
        if (test === undefined) throw new TemplateError(`no test named '${e.name}'`)
        const { positional, named } = this.args(e, f)
        const input = this.expr(e.target, f)
        // A test's own value, as Jinja keeps it (Ansible's `failed` gives the raw `failed` key).
        const result = callableName(e.name) === 'callable' && isCallableValue(input)
          ? true
          : test.fn(this, ...bindArgs(test, `test '${e.name}'`, [input, ...positional], named))
        return e.negated ? !truthy(result) : result
      }
      case 'unary': {
        const value = this.expr(e.operand, f)
        if (e.op === 'not') return !this.truth(value)
        return arithmetic(e.op === '-' ? 'neg' : 'pos', defined(value), undefined, this)
      }
      case 'binary':
        return arithmetic(e.op, defined(this.expr(e.left, f)), defined(this.expr(e.right, f)), this)
      case 'compare': {
        let left = this.expr(e.first, f)
        for (const { op, expr } of e.rest) {
          const right = this.expr(expr, f)
          if (!this.comparison(op, left, right)) return false
          left = right
        }
        return true
      }
      case 'logical': {
        const left = this.expr(e.left, f)
        if (e.op === 'and') return this.truth(left) ? this.expr(e.right, f) : left
        return this.truth(left) ? left : this.expr(e.right, f)
      }
      case 'cond':
        if (this.truth(this.expr(e.test, f))) return this.expr(e.then, f)
        return e.otherwise ? this.expr(e.otherwise, f) : new Undefined('inline if', 'the inline if-expression evaluated to false and no else section was defined', true)
      case 'concat': {
        const text = e.parts.map((part) => str(defined(this.expr(part, f)))).join('')
        this.checkSize(text.length)
        return text
      }
    }
  }

  private comparison(op: string, left: unknown, right: unknown): boolean {
    switch (op) {
      case '==':
        return equals(defined(left), defined(right))
      case '!=':
        return !equals(defined(left), defined(right))
      case '<':
        return compare(defined(left), defined(right)) < 0
      case '<=':
        return compare(defined(left), defined(right)) <= 0
      case '>':
        return compare(defined(left), defined(right)) > 0
      case '>=':
        return compare(defined(left), defined(right)) >= 0
      case 'in':
        return contains(defined(right), defined(left))
      default:
        return !contains(defined(right), defined(left))
    }
  }

  private attribute(target: unknown, name: string, e: Expr): unknown {
    if (target instanceof Undefined) return target
    if (target instanceof LoopContext) return target.field(name) ?? new Undefined(`loop.${name}`, `'LoopContext' has no attribute '${name}'`)
    if (target instanceof Namespace) return ownMember(target.values, name)?.value ?? new Undefined(name, `'Namespace' has no attribute '${name}'`)
    if (target instanceof Macro) return macroAttribute(target, name) ?? new Undefined(describe(e), `'Macro' object has no attribute '${name}'`)
    if (target instanceof Cycler && name === 'current') return target.current
    // groupby's groups are Python named tuples: (grouper, list).
    if (isTuple(target) && (target as unknown[]).length === 2 && (name === 'grouper' || name === 'list')) return (target as unknown[])[name === 'grouper' ? 0 : 1]
    const method = isMapping(target) ? this.options.env.methodOf(target, name) : undefined
    if (method !== undefined) return new BoundMethod(target, name, method)
    const member = ownMember(target, name)
    if (member !== undefined) return member.value
    const strMethod = typeof target === 'string' || Array.isArray(target) ? this.options.env.methodOf(target, name) : undefined
    if (strMethod !== undefined) return new BoundMethod(target, name, strMethod)
    return new Undefined(describe(e), `'${objectName(target)}' has no attribute '${name}'`)
  }

  private item(target: unknown, key: unknown, e: Expr): unknown {
    if (target instanceof Undefined) return target
    if (key instanceof Undefined) return key
    if (target instanceof Namespace) return this.attribute(target, String(key), e)
    if (target instanceof LoopContext && typeof key === 'string') return this.attribute(target, key, e)
    const member = ownMember(target, key)
    if (member !== undefined) return member.value
    if ((Array.isArray(target) || typeof target === 'string') && typeof key === 'number') {
      return new Undefined(describe(e), `'${objectName(target)}' has no element ${key}`)
    }
    return new Undefined(describe(e), `'${objectName(target)}' has no attribute ${typeof key === 'string' ? `'${key}'` : str(key)}`)
  }

  private slice(e: Extract<Expr, { kind: 'slice' }>, f: Frame): unknown {
    const target = defined(this.expr(e.target, f))
    const part = (x: Expr | undefined): number | undefined => {
      if (x === undefined) return undefined
      const v = defined(this.expr(x, f))
      if (v === null) return undefined
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new TemplateError('slice indices must be integers or None')
      return v
    }
    const items = typeof target === 'string' ? [...target] : Array.isArray(target) ? target : undefined
    if (items === undefined) throw new TemplateError(`'${typeName(target)}' object is not subscriptable`)
    const picked = pySlice(items, part(e.start), part(e.stop), part(e.step))
    this.charge(picked.length)
    return typeof target === 'string' ? picked.join('') : picked
  }

  private args(node: Args, f: Frame): { positional: unknown[]; named: Mapping } {
    const positional = node.args.map((a) => this.expr(a, f))
    if (node.starArgs) positional.push(...iterate(defined(this.expr(node.starArgs, f))))
    const named: Mapping = Object.create(null) as Mapping
    for (const [key, value] of node.kwargs) named[key] = this.expr(value, f)
    if (node.starKwargs) {
      const extra = defined(this.expr(node.starKwargs, f))
      if (!isMapping(extra)) throw new TemplateError('argument after ** must be a mapping')
      for (const key of Object.keys(extra)) named[key] = ownMember(extra, key)?.value
    }
    return { positional, named }
  }

  private applyFilter(e: Extract<Expr, { kind: 'filter' }>, input: unknown, f: Frame): unknown {
    const filter = lookupCallable(this.options.env.filters, e.name)
    if (filter === undefined) throw new TemplateError(`no filter named '${e.name}'`, { offset: e.at })
    const { positional, named } = this.args(e, f)
    try {
      return filter.fn(this, ...bindArgs(filter, `filter '${e.name}'`, [input, ...positional], named))
    } catch (error) {
      throw placed(error, e.at)
    }
  }

  private call(e: Extract<Expr, { kind: 'call' }>, f: Frame): unknown {
    if (e.callee.kind === 'attr') {
      const target = this.expr(e.callee.target, f)
      if (target instanceof LoopContext) return this.loopMethod(target, e.callee.name, e, f)
      if (target instanceof Cycler && (e.callee.name === 'next' || e.callee.name === 'reset')) return e.callee.name === 'next' ? target.next() : (target.reset(), null)
      const method = target instanceof Undefined || target instanceof Namespace ? undefined : this.options.env.methodOf(target, e.callee.name)
      if (method !== undefined) {
        const { positional, named } = this.args(e, f)
        return this.callMethod(target, e.callee.name, method, positional, named)
      }
      const value = this.attribute(target, e.callee.name, e.callee)
      return this.callValue(value, e, f)
    }
    return this.callValue(this.expr(e.callee, f), e, f)
  }

  private callMethod(target: unknown, name: string, method: Callable, positional: unknown[], named: Mapping): unknown {
    if (MUTATING.has(name) && !(typeof target === 'object' && target !== null && this.owned.has(target))) {
      throw new TemplateError(`.${name}() can only change a list or dict the template made itself ({% set x = [] %}); variables are read-only`)
    }
    const result = method.fn(this, ...bindArgs(method, `${typeName(target)}.${name}()`, [target, ...positional], named))
    if (Array.isArray(result) || isMapping(result)) this.owned.add(result)
    return result
  }

  private callValue(callee: unknown, e: Extract<Expr, { kind: 'call' }>, f: Frame): unknown {
    const { positional, named } = this.args(e, f)
    if (callee instanceof Macro) return callee.invoke(positional, named, undefined)
    if (callee instanceof Joiner) return callee.next()
    if (callee instanceof BoundMethod) return this.callMethod(callee.target, callee.name, callee.method, positional, named)
    if (callee instanceof LoopContext) {
      if (callee.recurse === undefined) throw new TemplateError("'loop' can only be called in a loop marked `recursive`")
      return callee.recurse(positional[0])
    }
    if (callee instanceof Builtin) {
      const fn = this.options.env.globals[callee.name]!
      const result = fn.fn(this, ...bindArgs(fn, `${callee.name}()`, positional, named))
      if (Array.isArray(result) || isMapping(result) || result instanceof Namespace) this.owned.add(result as object)
      return result
    }
    if (callee instanceof Undefined) throw new TemplateError(callee.message(), { undefinedName: callee.name })
    throw new TemplateError(`'${typeName(callee)}' object is not callable: templates call only tend's functions (${Object.keys(this.options.env.globals).sort().join(', ')}), macros and methods of strings, lists and dicts`)
  }

  private loopMethod(loop: LoopContext, name: string, e: Extract<Expr, { kind: 'call' }>, f: Frame): unknown {
    const { positional } = this.args(e, f)
    if (name === 'cycle') {
      if (positional.length === 0) throw new TemplateError('no items for cycling given')
      return positional[loop.index0 % positional.length]
    }
    if (name === 'changed') return loop.changed(positional)
    throw new TemplateError(`'LoopContext' object has no method '${name}'`)
  }
}

/** Values a template can call: tend's functions, macros, methods, joiners, the recursive loop. */
function isCallableValue(value: unknown): boolean {
  return value instanceof Builtin || value instanceof Macro || value instanceof BoundMethod || value instanceof Joiner || value instanceof LoopContext
}

interface MacroShape {
  readonly params: readonly string[]
  readonly catchVarargs: boolean
  readonly catchKwargs: boolean
  readonly caller: boolean
}
const macroShapes = new WeakMap<Macro, MacroShape>()

/** Jinja's macro attributes: name, arguments, catch_kwargs, catch_varargs, caller. */
function macroAttribute(macro: Macro, name: string): unknown {
  const shape = macroShapes.get(macro)
  if (shape === undefined) return undefined
  switch (name) {
    case 'name':
      return macro.name
    case 'arguments':
      return tuple([...shape.params])
    case 'catch_kwargs':
      return shape.catchKwargs
    case 'catch_varargs':
      return shape.catchVarargs
    case 'caller':
      return shape.caller
    default:
      return undefined
  }
}

/** Whether a body reads a name anywhere (a macro catches varargs/kwargs only when it reads them). */
const readsName = (body: readonly Node[], name: string): boolean => namesRead(body).has(name)

function lookupCallable(table: CallableTable, name: string): Callable | undefined {
  const key = callableName(name)
  return Object.hasOwn(table, key) ? table[key] : undefined
}

/** Python's name for a value in "has no attribute" messages. */
function objectName(value: unknown): string {
  if (value === null) return 'None'
  return `${typeName(value)} object`
}

/** The expression as the user wrote it, roughly, for undefined-name messages. */
function describe(e: Expr): string {
  switch (e.kind) {
    case 'name':
      return e.name
    case 'attr':
      return `${describe(e.target)}.${e.name}`
    case 'item':
      return `${describe(e.target)}[${e.key.kind === 'literal' ? str(e.key.value, true) : '…'}]`
    default:
      return 'value'
  }
}

function placed(error: unknown, at: number): unknown {
  if (error instanceof TemplateError) return error.at(at)
  // A stack overflow (the parser bounds nesting, so only a very deep include or macro chain): its
  // message is not matched with a regex, which would need stack itself.
  if (error instanceof RangeError) return new TemplateError('template nests too deeply', { offset: at, budget: true })
  return error
}

/** Python's list[start:stop:step]. */
export function pySlice<T>(items: readonly T[], start: number | undefined, stop: number | undefined, step = 1): T[] {
  if (step === 0) throw new TemplateError('slice step cannot be zero')
  const n = items.length
  const norm = (i: number, lo: number, hi: number) => (i < 0 ? Math.max(i + n, lo) : Math.min(i, hi))
  const out: T[] = []
  if (step > 0) {
    const a = start === undefined ? 0 : norm(start, 0, n)
    const b = stop === undefined ? n : norm(stop, 0, n)
    for (let i = a; i < b; i += step) out.push(items[i]!)
  } else {
    const a = start === undefined ? n - 1 : norm(start, -1, n - 1)
    const b = stop === undefined ? -1 : norm(stop, -1, n - 1)
    for (let i = a; i > b; i += step) out.push(items[i]!)
  }
  return out
}

export { length }
