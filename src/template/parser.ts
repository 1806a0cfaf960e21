/**
 * Jinja's grammar (Jinja2 3.1's parser, same precedence), from tokens to the tree in ast.ts.
 * Tags tend does not interpret (`extends`, `block`, `import`) are refused here, at their column,
 * so nothing half-understood is ever rendered.
 */
import type { Args, BinaryOp, CompareOp, Expr, Node, Param, Target, Template } from './ast.js'
import { TemplateError } from './errors.js'
import { jinjaSource, tokenize, type Token, type WhitespaceOptions } from './lexer.js'
import { float } from './values.js'

const CONSTANTS: Readonly<Record<string, unknown>> = { true: true, false: false, none: null, True: true, False: false, None: null }
const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>='])
/** Names that end a bare test argument (`x is divisibleby 3` takes one; `x is defined and y` none). */
const NOT_AN_ARGUMENT = new Set(['else', 'or', 'and', 'is', 'in', 'if', 'not'])
const REFUSED_TAGS: Readonly<Record<string, string>> = {
  extends: '{% extends %} (template inheritance)',
  import: '{% import %}',
  from: '{% from ... import %}',
  autoescape: '{% autoescape %}',
}

/** How deep an expression or block structure may nest (parentheses, chains of `.a`/`|f`, blocks). */
const MAX_NESTING = 200

export const DEFAULT_WHITESPACE: WhitespaceOptions = { trimBlocks: false, lstripBlocks: false, newlineSequence: '\n' }

export function parse(text: string, options: WhitespaceOptions = DEFAULT_WHITESPACE): Template {
  const source = jinjaSource(text, options.keepTrailingNewline === true)
  const parser = new Parser(tokenize(source, options))
  return { body: parser.template(), source }
}

/** A bare expression (`when:`, `that:`): the whole text must be one expression. */
export function parseExpression(text: string, literalBackslashes = false): Expr {
  const tokens = tokenize(`{{${text}}}`, { ...DEFAULT_WHITESPACE, literalBackslashes }).map((t) => ({ ...t, offset: t.offset - 2 }))
  const parser = new Parser(tokens)
  return parser.bareExpression()
}

class Parser {
  private i = 0
  /** Open block tags, innermost last: what an `end…` or `else` may close. */
  private readonly open: string[] = []

  constructor(private readonly tokens: readonly Token[]) {}

  private get tok(): Token {
    return this.tokens[this.i]!
  }

  private peek(n = 1): Token {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)]!
  }

  private next(): Token {
    const t = this.tok
    if (t.type !== 'eof') this.i += 1
    return t
  }

  private is(type: Token['type'], value?: string): boolean {
    return this.tok.type === type && (value === undefined || this.tok.value === value)
  }

  private skip(type: Token['type'], value?: string): boolean {
    if (!this.is(type, value)) return false
    this.next()
    return true
  }

  private fail(message: string, at = this.tok.offset): never {
    throw new TemplateError(message, { offset: at })
  }

  private expect(type: Token['type'], value?: string): Token {
    if (this.is(type, value)) return this.next()
    const want = value !== undefined ? `'${value}'` : type
    return this.fail(`expected ${want}, got ${this.describe(this.tok)}`)
  }

  private describe(t: Token): string {
    if (t.type === 'eof') return 'end of template'
    if (t.type === 'block_end' || t.type === 'var_end') return `end of tag '${t.value}'`
    return `'${t.value}'`
  }

  // ---- template structure ----

  template(): Node[] {
    const body = this.body([])
    if (!this.is('eof')) this.fail(`unexpected '${this.peek().value}'`)
    return body
  }

  bareExpression(): Expr {
    this.expect('var_begin')
    const expr = this.expression()
    if (!this.is('var_end')) this.fail(`unexpected ${this.describe(this.tok)} after the expression`)
    this.next()
    if (!this.is('eof')) this.fail('unexpected text after the expression')
    return expr
  }

  /** Nodes until a block tag named in `stops` (left unconsumed: its name is the next token). */
  private body(stops: readonly string[]): Node[] {
    const out: Node[] = []
    for (;;) {
      const t = this.tok
      if (t.type === 'eof') {
        if (stops.length) this.fail(`unexpected end of template: expected ${stops.map((s) => `{% ${s} %}`).join(' or ')} to close {% ${this.open.at(-1)} %}`)
        return out
      }
      if (t.type === 'data') {
        out.push({ kind: 'text', at: t.offset, value: t.value })
        this.next()
      } else if (t.type === 'var_begin') {
        this.next()
        const expr = this.tuple(false)
        this.expect('var_end')
        out.push({ kind: 'output', at: t.offset, expr })
      } else if (t.type === 'block_begin') {
        const name = this.peek()
        if (name.type === 'name' && stops.includes(name.value)) return out
        this.next()
        out.push(this.statement())
      } else this.fail(`unexpected ${this.describe(t)}`)
    }
  }

  private endTag(): void {
    this.expect('block_end')
  }

  /** `{% end… %}` closing the innermost block. */
  private close(name: string): void {
    this.expect('block_begin')
    this.expect('name', name)
    this.endTag()
    this.open.pop()
  }

  private statement(): Node {
    const t = this.tok
    if (this.open.length >= MAX_NESTING) this.fail(`blocks nested more than ${MAX_NESTING} levels deep`)
    if (t.type !== 'name') this.fail('tag name expected')
    const refused = REFUSED_TAGS[t.value]
    if (refused !== undefined) this.fail(`${refused} is not supported in tend templates`)
    switch (t.value) {
      case 'if':
        return this.ifStatement()
      case 'for':
        return this.forStatement()
      case 'set':
        return this.setStatement()
      case 'macro':
        return this.macroStatement()
      case 'call':
        return this.callStatement()
      case 'filter':
        return this.filterStatement()
      case 'with':
        return this.withStatement()
      case 'include':
        return this.includeStatement()
      case 'block':
        return this.blockStatement()
    }
    const inside = this.open.at(-1)
    return this.fail(
      inside !== undefined
        ? `encountered unknown tag '${t.value}'; Jinja was looking for a tag that closes {% ${inside} %}`
        : `encountered unknown tag '${t.value}'`,
    )
  }

  private ifStatement(): Node {
    const at = this.next().offset
    this.open.push('if')
    const branches: { test: Expr; body: readonly Node[] }[] = []
    let test = this.tuple(false, true)
    this.endTag()
    let otherwise: readonly Node[] = []
    for (;;) {
      const body = this.body(['elif', 'else', 'endif'])
      branches.push({ test, body })
      this.expect('block_begin')
      const tag = this.next().value
      if (tag === 'elif') {
        test = this.tuple(false, true)
        this.endTag()
        continue
      }
      if (tag === 'else') {
        this.endTag()
        otherwise = this.body(['endif'])
        this.close('endif')
        break
      }
      this.endTag()
      this.open.pop()
      break
    }
    return { kind: 'if', at, branches, otherwise }
  }

  private forStatement(): Node {
    const at = this.next().offset
    this.open.push('for')
    const target = this.assignTarget(true)
    this.expect('name', 'in')
    const iter = this.tuple(false, false, true)
    const filter = this.skip('name', 'if') ? this.expression() : undefined
    const recursive = this.skip('name', 'recursive')
    this.endTag()
    const body = this.body(['endfor', 'else'])
    let otherwise: readonly Node[] = []
    this.expect('block_begin')
    if (this.next().value === 'else') {
      this.endTag()
      otherwise = this.body(['endfor'])
      this.close('endfor')
    } else {
      this.endTag()
      this.open.pop()
    }
    return { kind: 'for', at, target, iter, ...(filter ? { filter } : {}), recursive, body, otherwise }
  }

  private setStatement(): Node {
    const at = this.next().offset
    const target = this.assignTarget(false)
    if (this.skip('op', '=')) {
      const expr = this.tuple(false)
      this.endTag()
      return { kind: 'set', at, target, expr }
    }
    const filters = this.filterChain()
    this.endTag()
    this.open.push('set')
    const body = this.body(['endset'])
    this.close('endset')
    return { kind: 'setblock', at, target, filters, body }
  }

  private macroStatement(): Node {
    const at = this.next().offset
    const name = this.expect('name').value
    const params = this.params()
    this.endTag()
    this.open.push('macro')
    const body = this.body(['endmacro'])
    this.close('endmacro')
    return { kind: 'macro', at, name, params, body }
  }

  private callStatement(): Node {
    const at = this.next().offset
    const params = this.is('op', '(') ? this.params() : []
    const call = this.expression()
    if (call.kind !== 'call') this.fail('expected a macro call after {% call %}', call.at)
    this.endTag()
    this.open.push('call')
    const body = this.body(['endcall'])
    this.close('endcall')
    return { kind: 'callblock', at, call, params, body }
  }

  private filterStatement(): Node {
    const at = this.next().offset
    const filters: Expr[] = [this.filterApplication(undefined)]
    filters.push(...this.filterChain())
    this.endTag()
    this.open.push('filter')
    const body = this.body(['endfilter'])
    this.close('endfilter')
    return { kind: 'filterblock', at, filters, body }
  }

  private withStatement(): Node {
    const at = this.next().offset
    const assignments: [Target, Expr][] = []
    while (!this.is('block_end')) {
      if (assignments.length) this.expect('op', ',')
      const target = this.assignTarget(false)
      this.expect('op', '=')
      assignments.push([target, this.expression()])
    }
    this.endTag()
    this.open.push('with')
    const body = this.body(['endwith'])
    this.close('endwith')
    return { kind: 'with', at, assignments, body }
  }

  /** `{% block name %}` in a template that extends nothing renders in place, as in Jinja. */
  private blockStatement(): Node {
    const at = this.next().offset
    const name = this.expect('name').value
    this.skip('name', 'scoped')
    this.skip('name', 'required')
    this.endTag()
    this.open.push('block')
    const body = this.body(['endblock'])
    this.expect('block_begin')
    this.expect('name', 'endblock')
    if (this.tok.type === 'name') {
      const closing = this.next()
      if (closing.value !== name) this.fail(`mismatching name '${closing.value}' for {% endblock %} of block '${name}'`, closing.offset)
    }
    this.endTag()
    this.open.pop()
    return { kind: 'with', at, assignments: [], body }
  }

  private includeStatement(): Node {
    const at = this.next().offset
    const template = this.expression()
    let ignoreMissing = false
    if (this.is('name', 'ignore') && this.peek().type === 'name' && this.peek().value === 'missing') {
      this.next()
      this.next()
      ignoreMissing = true
    }
    let withContext = true
    if ((this.is('name', 'with') || this.is('name', 'without')) && this.peek().value === 'context') {
      withContext = this.next().value === 'with'
      this.next()
    }
    this.endTag()
    return { kind: 'include', at, template, ignoreMissing, withContext }
  }

  /** `(a, b=1, c='x')` of a macro or call block. */
  private params(): Param[] {
    this.expect('op', '(')
    const params: Param[] = []
    while (!this.skip('op', ')')) {
      if (params.length) this.expect('op', ',')
      if (this.is('op', ')')) continue
      const name = this.expect('name')
      checkName(name)
      if (params.some((p) => p.name === name.value)) this.fail(`duplicate argument '${name.value}' in macro definition`, name.offset)
      const def = this.skip('op', '=') ? this.expression() : undefined
      if (def === undefined && params.some((p) => p.default)) this.fail('non-default argument follows default argument', name.offset)
      params.push({ name: name.value, at: name.offset, ...(def ? { default: def } : {}) })
    }
    return params
  }

  /** A name, a tuple of names (`k, v`), or `ns.attr` (only where `set` allows it). */
  private assignTarget(forLoop: boolean): Target {
    const first = this.simpleTarget(!forLoop)
    if (!this.is('op', ',')) return first
    const items: Target[] = [first]
    while (this.skip('op', ',')) {
      if (this.is('name', 'in') || this.is('op', '=')) break
      items.push(this.simpleTarget(false))
    }
    return { kind: 'tuple', at: first.at, items }
  }

  private simpleTarget(allowAttr: boolean): Target {
    if (this.skip('op', '(')) {
      const inner = this.assignTarget(true)
      this.expect('op', ')')
      return inner
    }
    const name = this.expect('name')
    checkName(name)
    if (allowAttr && this.is('op', '.')) {
      this.next()
      const attr = this.expect('name')
      return { kind: 'nsattr', at: name.offset, name: name.value, attr: attr.value }
    }
    return { kind: 'name', at: name.offset, name: name.value }
  }

  // ---- expressions ----

  /** Jinja's parse_tuple: `a, b` without parentheses is a tuple (in `{{ }}`, `for … in`, `set`). */
  private tuple(simplified: boolean, noCond = false, forIter = false): Expr {
    const at = this.tok.offset
    const parse = (): Expr => (simplified ? this.primary() : noCond ? this.or() : this.expression(!forIter))
    const items: Expr[] = []
    let comma = false
    for (;;) {
      if (items.length) {
        if (!this.skip('op', ',')) break
        comma = true
      }
      if (this.is('var_end') || this.is('block_end') || this.is('op', ')') || (forIter && (this.is('name', 'if') || this.is('name', 'recursive')))) {
        if (items.length === 0) this.fail(`expected an expression, got ${this.describe(this.tok)}`)
        break
      }
      items.push(parse())
    }
    if (!comma && items.length === 1) return items[0]!
    return { kind: 'tuple', at, items }
  }

  /** Nesting of expressions (parentheses, lists, calls): bounded so no input can exhaust the stack. */
  private depth = 0

  private expression(withCond = true): Expr {
    if (++this.depth > MAX_NESTING) this.fail(`expression nested more than ${MAX_NESTING} levels deep`)
    try {
      return withCond ? this.condExpr() : this.or()
    } finally {
      this.depth -= 1
    }
  }

  private condExpr(): Expr {
    let expr = this.or()
    while (this.is('name', 'if')) {
      const at = this.next().offset
      const test = this.or()
      const otherwise = this.skip('name', 'else') ? this.condExpr() : undefined
      expr = { kind: 'cond', at, test, then: expr, ...(otherwise ? { otherwise } : {}) }
    }
    return expr
  }

  private or(): Expr {
    let left = this.and()
    while (this.is('name', 'or')) {
      const at = this.next().offset
      left = { kind: 'logical', at, op: 'or', left, right: this.and() }
    }
    return left
  }

  private and(): Expr {
    let left = this.not()
    while (this.is('name', 'and')) {
      const at = this.next().offset
      left = { kind: 'logical', at, op: 'and', left, right: this.not() }
    }
    return left
  }

  private not(): Expr {
    if (this.is('name', 'not')) {
      const at = this.next().offset
      if (++this.depth > MAX_NESTING) this.fail(`expression nested more than ${MAX_NESTING} levels deep`)
      try {
        return { kind: 'unary', at, op: 'not', operand: this.not() }
      } finally {
        this.depth -= 1
      }
    }
    return this.compare()
  }

  private compare(): Expr {
    const first = this.math1()
    const rest: { op: CompareOp; expr: Expr }[] = []
    for (;;) {
      if (this.tok.type === 'op' && COMPARE_OPS.has(this.tok.value)) {
        const op = this.next().value as CompareOp
        rest.push({ op, expr: this.math1() })
      } else if (this.is('name', 'in')) {
        this.next()
        rest.push({ op: 'in', expr: this.math1() })
      } else if (this.is('name', 'not') && this.peek().type === 'name' && this.peek().value === 'in') {
        this.next()
        this.next()
        rest.push({ op: 'notin', expr: this.math1() })
      } else break
    }
    return rest.length ? { kind: 'compare', at: first.at, first, rest } : first
  }

  private math1(): Expr {
    let left = this.concat()
    while (this.is('op', '+') || this.is('op', '-')) {
      const t = this.next()
      left = { kind: 'binary', at: t.offset, op: t.value as BinaryOp, left, right: this.concat() }
    }
    return left
  }

  private concat(): Expr {
    const parts = [this.math2()]
    while (this.is('op', '~')) {
      this.next()
      parts.push(this.math2())
    }
    return parts.length === 1 ? parts[0]! : { kind: 'concat', at: parts[0]!.at, parts }
  }

  private math2(): Expr {
    let left = this.pow()
    while (this.is('op', '*') || this.is('op', '/') || this.is('op', '//') || this.is('op', '%')) {
      const t = this.next()
      left = { kind: 'binary', at: t.offset, op: t.value as BinaryOp, left, right: this.pow() }
    }
    return left
  }

  private pow(): Expr {
    let left = this.unary()
    while (this.is('op', '**')) {
      const t = this.next()
      left = { kind: 'binary', at: t.offset, op: '**', left, right: this.unary() }
    }
    return left
  }

  private unary(withFilter = true): Expr {
    if (++this.depth > MAX_NESTING) this.fail(`expression nested more than ${MAX_NESTING} levels deep`)
    try {
      return this.unaryInner(withFilter)
    } finally {
      this.depth -= 1
    }
  }

  private unaryInner(withFilter: boolean): Expr {
    let node: Expr
    if (this.is('op', '-') || this.is('op', '+')) {
      const t = this.next()
      node = { kind: 'unary', at: t.offset, op: t.value as '-' | '+', operand: this.unary(false) }
    } else node = this.postfix(this.primary())
    return withFilter ? this.filterExpr(node) : node
  }

  private primary(): Expr {
    const t = this.tok
    if (t.type === 'name') {
      this.next()
      if (Object.hasOwn(CONSTANTS, t.value)) return { kind: 'literal', at: t.offset, value: CONSTANTS[t.value] }
      return { kind: 'name', at: t.offset, name: t.value }
    }
    if (t.type === 'string') {
      this.next()
      let value = t.parsed as string
      while (this.tok.type === 'string') value += this.next().parsed as string
      return { kind: 'literal', at: t.offset, value }
    }
    if (t.type === 'int' || t.type === 'float') {
      this.next()
      const n = t.parsed as number
      return { kind: 'literal', at: t.offset, value: t.type === 'float' ? float(n) : n }
    }
    if (t.type === 'op' && t.value === '(') {
      this.next()
      if (this.skip('op', ')')) return { kind: 'tuple', at: t.offset, items: [] }
      const inner = this.tuple(false)
      this.expect('op', ')')
      return inner
    }
    if (t.type === 'op' && t.value === '[') {
      this.next()
      const items: Expr[] = []
      while (!this.skip('op', ']')) {
        if (items.length) this.expect('op', ',')
        if (this.is('op', ']')) continue
        items.push(this.expression())
      }
      return { kind: 'list', at: t.offset, items }
    }
    if (t.type === 'op' && t.value === '{') {
      this.next()
      const pairs: [Expr, Expr][] = []
      while (!this.skip('op', '}')) {
        if (pairs.length) this.expect('op', ',')
        if (this.is('op', '}')) continue
        const key = this.expression()
        this.expect('op', ':')
        pairs.push([key, this.expression()])
      }
      return { kind: 'dict', at: t.offset, pairs }
    }
    return this.fail(`unexpected ${this.describe(t)}`)
  }

  /** One more link in a chain (`.a`, `[k]`, `(…)`, `| f`, `is t`): it nests the tree one level deeper. */
  private link(): void {
    if (++this.depth > MAX_NESTING) this.fail(`expression nested more than ${MAX_NESTING} levels deep`)
  }

  private postfix(node: Expr): Expr {
    const depth = this.depth
    try {
      return this.postfixChain(node)
    } finally {
      this.depth = depth
    }
  }

  private postfixChain(node: Expr): Expr {
    for (;;) {
      if (this.is('op', '.') || this.is('op', '[') || this.is('op', '(')) this.link()
      if (this.is('op', '.')) {
        this.next()
        const t = this.tok
        if (t.type === 'name') {
          this.next()
          node = { kind: 'attr', at: t.offset, target: node, name: t.value }
        } else if (t.type === 'int') {
          this.next()
          node = { kind: 'item', at: t.offset, target: node, key: { kind: 'literal', at: t.offset, value: t.parsed } }
        } else this.fail(`expected a name after '.', got ${this.describe(t)}`)
      } else if (this.is('op', '[')) {
        node = this.subscript(node)
      } else if (this.is('op', '(')) {
        node = this.call(node)
      } else return node
    }
  }

  private subscript(target: Expr): Expr {
    const at = this.next().offset
    const part = (): Expr | undefined => (this.is('op', ':') || this.is('op', ']') ? undefined : this.expression())
    const start = part()
    if (this.skip('op', ':')) {
      const stop = part()
      const step = this.skip('op', ':') ? part() : undefined
      this.expect('op', ']')
      return { kind: 'slice', at, target, ...(start ? { start } : {}), ...(stop ? { stop } : {}), ...(step ? { step } : {}) }
    }
    if (start === undefined) this.fail('expected a subscript')
    let key = start
    if (this.is('op', ',')) {
      const items = [start]
      while (this.skip('op', ',')) if (!this.is('op', ']')) items.push(this.expression())
      key = { kind: 'tuple', at: start.at, items }
    }
    this.expect('op', ']')
    return { kind: 'item', at, target, key }
  }

  private callArgs(): Args {
    this.expect('op', '(')
    const args: Expr[] = []
    const kwargs: [string, Expr][] = []
    let starArgs: Expr | undefined
    let starKwargs: Expr | undefined
    let first = true
    while (!this.skip('op', ')')) {
      if (!first) this.expect('op', ',')
      first = false
      if (this.is('op', ')')) continue
      if (this.skip('op', '**')) starKwargs = this.expression()
      else if (this.skip('op', '*')) starArgs = this.expression()
      else if (this.tok.type === 'name' && this.peek().type === 'op' && this.peek().value === '=') {
        const name = this.next()
        checkName(name)
        this.next()
        kwargs.push([name.value, this.expression()])
      } else {
        if (kwargs.length) this.fail('positional argument follows keyword argument')
        args.push(this.expression())
      }
    }
    return { args, kwargs, ...(starArgs ? { starArgs } : {}), ...(starKwargs ? { starKwargs } : {}) }
  }

  private call(callee: Expr): Expr {
    const at = this.tok.offset
    return { kind: 'call', at, callee, ...this.callArgs() }
  }

  /** A dotted filter or test name (`ansible.builtin.to_json`). */
  private dottedName(): { name: string; at: number } {
    const first = this.expect('name')
    let name = first.value
    while (this.is('op', '.') && this.peek().type === 'name') {
      this.next()
      name += `.${this.next().value}`
    }
    return { name, at: first.offset }
  }

  private filterApplication(target: Expr | undefined): Expr {
    const { name, at } = this.dottedName()
    const args: Args = this.is('op', '(') ? this.callArgs() : { args: [], kwargs: [] }
    return { kind: 'filter', at, target, name, ...args }
  }

  /** `| a | b(1)` after a `{% set x %}` or `{% filter %}`: filters applied to a body. */
  private filterChain(): Expr[] {
    const out: Expr[] = []
    while (this.skip('op', '|')) out.push(this.filterApplication(undefined))
    return out
  }

  private filterExpr(node: Expr): Expr {
    const depth = this.depth
    try {
      return this.filterLinks(node)
    } finally {
      this.depth = depth
    }
  }

  private filterLinks(node: Expr): Expr {
    for (;;) {
      if (this.is('op', '|') || this.is('name', 'is') || this.is('op', '(')) this.link()
      if (this.is('op', '|')) {
        this.next()
        node = this.filterApplication(node)
      } else if (this.is('name', 'is')) {
        node = this.test(node)
      } else if (this.is('op', '(')) {
        node = this.call(node)
      } else return node
    }
  }

  private test(target: Expr): Expr {
    this.next()
    const negated = this.skip('name', 'not')
    const { name, at } = this.dottedName()
    let args: Args = { args: [], kwargs: [] }
    if (this.is('op', '(')) args = this.callArgs()
    else if (this.startsBareArgument()) {
      const arg = this.postfix(this.primary())
      args = { args: [arg], kwargs: [] }
    }
    return { kind: 'test', at, target, name, negated, ...args }
  }

  private startsBareArgument(): boolean {
    const t = this.tok
    if (t.type === 'name') return !NOT_AN_ARGUMENT.has(t.value)
    if (t.type === 'string' || t.type === 'int' || t.type === 'float') return true
    return t.type === 'op' && (t.value === '[' || t.value === '{')
  }
}

/** Identifiers are ASCII (the lexer refuses others); a name bound by the template must also be one. */
function checkName(token: Token): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(token.value)) {
    throw new TemplateError(`identifier ${JSON.stringify(token.value)} is not allowed`, { offset: token.offset })
  }
}
