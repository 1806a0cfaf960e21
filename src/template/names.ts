/**
 * What a template uses, read off its tree before anything renders: the variables it needs, the
 * filters, tests and functions it calls, the templates it includes. Validation reports these at
 * file:line:column, so a typo is found by `tend validate`, not on the first host.
 */
import type { Args, Expr, Node, Target, Template } from './ast.js'

/** Names a template may read without their being variables. */
const PROVIDED = new Set(['loop', 'varargs', 'kwargs', 'caller', 'range', 'dict', 'namespace', 'lookup', 'query', 'q'])
/** Filters and tests whose operand may be undefined: its names are optional everywhere. */
const GUARDING_FILTERS = new Set(['default', 'd', 'mandatory', 'ansible.builtin.default', 'ansible.builtin.mandatory'])
const GUARDING_TESTS = new Set(['defined', 'undefined', 'ansible.builtin.defined', 'ansible.builtin.undefined'])

export interface CallableUse {
  readonly kind: 'filter' | 'test' | 'call'
  readonly name: string
  readonly at: number
}

type Visit = { expr?: (e: Expr) => void; node?: (n: Node) => void; target?: (t: Target) => void }

function walkArgs(a: Args, v: Visit): void {
  for (const x of a.args) walkExpr(x, v)
  for (const [, x] of a.kwargs) walkExpr(x, v)
  if (a.starArgs) walkExpr(a.starArgs, v)
  if (a.starKwargs) walkExpr(a.starKwargs, v)
}

function walkExpr(e: Expr, v: Visit): void {
  v.expr?.(e)
  switch (e.kind) {
    case 'list':
    case 'tuple':
      return e.items.forEach((x) => walkExpr(x, v))
    case 'dict':
      return e.pairs.forEach(([k, x]) => (walkExpr(k, v), walkExpr(x, v)))
    case 'attr':
      return walkExpr(e.target, v)
    case 'item':
      return (walkExpr(e.target, v), walkExpr(e.key, v))
    case 'slice':
      walkExpr(e.target, v)
      for (const x of [e.start, e.stop, e.step]) if (x) walkExpr(x, v)
      return
    case 'call':
      return (walkExpr(e.callee, v), walkArgs(e, v))
    case 'filter':
      if (e.target) walkExpr(e.target, v)
      return walkArgs(e, v)
    case 'test':
      return (walkExpr(e.target, v), walkArgs(e, v))
    case 'unary':
      return walkExpr(e.operand, v)
    case 'binary':
    case 'logical':
      return (walkExpr(e.left, v), walkExpr(e.right, v))
    case 'compare':
      walkExpr(e.first, v)
      return e.rest.forEach((r) => walkExpr(r.expr, v))
    case 'cond':
      walkExpr(e.test, v)
      walkExpr(e.then, v)
      if (e.otherwise) walkExpr(e.otherwise, v)
      return
    case 'concat':
      return e.parts.forEach((x) => walkExpr(x, v))
  }
}

function walkNodes(nodes: readonly Node[], v: Visit): void {
  for (const n of nodes) walkNode(n, v)
}

function walkNode(n: Node, v: Visit): void {
  v.node?.(n)
  switch (n.kind) {
    case 'output':
      return walkExpr(n.expr, v)
    case 'if':
      for (const b of n.branches) (walkExpr(b.test, v), walkNodes(b.body, v))
      return walkNodes(n.otherwise, v)
    case 'for':
      v.target?.(n.target)
      walkExpr(n.iter, v)
      if (n.filter) walkExpr(n.filter, v)
      walkNodes(n.body, v)
      return walkNodes(n.otherwise, v)
    case 'set':
      v.target?.(n.target)
      return walkExpr(n.expr, v)
    case 'setblock':
      v.target?.(n.target)
      n.filters.forEach((x) => walkExpr(x, v))
      return walkNodes(n.body, v)
    case 'macro':
      n.params.forEach((p) => p.default && walkExpr(p.default, v))
      return walkNodes(n.body, v)
    case 'callblock':
      walkExpr(n.call, v)
      n.params.forEach((p) => p.default && walkExpr(p.default, v))
      return walkNodes(n.body, v)
    case 'filterblock':
      n.filters.forEach((x) => walkExpr(x, v))
      return walkNodes(n.body, v)
    case 'with':
      for (const [t, x] of n.assignments) (v.target?.(t), walkExpr(x, v))
      return walkNodes(n.body, v)
    case 'include':
      return walkExpr(n.template, v)
  }
}

function walk(root: Template | Expr, v: Visit): void {
  if ('body' in root) walkNodes(root.body, v)
  else walkExpr(root, v)
}

function targetNames(t: Target, into: Set<string>): void {
  if (t.kind === 'name' || t.kind === 'nsattr') into.add(t.name)
  else t.items.forEach((x) => targetNames(x, into))
}

/** The root variable an operand reads (`a.b['c']` reads `a`). */
function rootName(e: Expr): string | undefined {
  if (e.kind === 'name') return e.name
  if (e.kind === 'attr' || e.kind === 'item' || e.kind === 'slice') return rootName(e.target)
  if (e.kind === 'filter' && e.target) return rootName(e.target)
  return undefined
}

/**
 * Variables the template reads that must be defined: not bound by the template itself, not
 * provided (loop, range…), and not guarded anywhere by `default` or `is defined`.
 */
export function freeVariables(root: Template | Expr): string[] {
  const read = new Set<string>()
  const bound = new Set<string>()
  const guarded = new Set<string>()
  walk(root, {
    expr: (e) => {
      if (e.kind === 'name') read.add(e.name)
      if (e.kind === 'filter' && GUARDING_FILTERS.has(e.name) && e.target) {
        const name = rootName(e.target)
        if (name) guarded.add(name)
      }
      if (e.kind === 'test' && GUARDING_TESTS.has(e.name)) {
        const name = rootName(e.target)
        if (name) guarded.add(name)
      }
    },
    node: (n) => {
      if (n.kind === 'macro') {
        bound.add(n.name)
        n.params.forEach((p) => bound.add(p.name))
      }
      if (n.kind === 'callblock') n.params.forEach((p) => bound.add(p.name))
    },
    target: (t) => targetNames(t, bound),
  })
  return [...read].filter((name) => !bound.has(name) && !guarded.has(name) && !PROVIDED.has(name))
}

/** Every filter, test and called name, with its offset. */
export function callablesUsed(root: Template | Expr): CallableUse[] {
  const out: CallableUse[] = []
  walk(root, {
    expr: (e) => {
      if (e.kind === 'filter') out.push({ kind: 'filter', name: e.name, at: e.at })
      if (e.kind === 'test') out.push({ kind: 'test', name: e.name, at: e.at })
      if (e.kind === 'call' && e.callee.kind === 'name') out.push({ kind: 'call', name: e.callee.name, at: e.callee.at })
    },
  })
  return out
}

/** `{% include %}` names written as literals (a computed name is known only when rendering). */
export function includesUsed(root: Template): { name: string | undefined; at: number }[] {
  const out: { name: string | undefined; at: number }[] = []
  walk(root, {
    node: (n) => {
      if (n.kind === 'include') out.push({ name: n.template.kind === 'literal' && typeof n.template.value === 'string' ? n.template.value : undefined, at: n.at })
    },
  })
  return out
}

/** Names the template binds itself (macros included): calls of these are not unknown functions. */
export function boundNames(root: Template): Set<string> {
  const bound = new Set<string>()
  walk(root, {
    node: (n) => {
      if (n.kind === 'macro') bound.add(n.name)
    },
    target: (t) => targetNames(t, bound),
  })
  return bound
}

/**
 * Every name a tree reads, bound, guarded or not (any subtree: a template, nodes, an expression).
 * Taint and a macro's varargs/kwargs care about any read at all.
 */
export function namesRead(root: unknown): Set<string> {
  const names = new Set<string>()
  const stack: unknown[] = [root]
  while (stack.length) {
    const node = stack.pop()
    if (Array.isArray(node)) stack.push(...node)
    else if (node !== null && typeof node === 'object') {
      const n = node as { kind?: unknown; name?: unknown }
      if (n.kind === 'name' && typeof n.name === 'string') names.add(n.name)
      if (n.kind !== 'literal') stack.push(...Object.values(node))
    }
  }
  return names
}
