/**
 * The parsed template: plain objects, one kind per Jinja construct. Every node keeps the offset
 * of its first character in the template text, so the evaluator's errors point at it.
 */

export type Expr =
  | { readonly kind: 'literal'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'name'; readonly at: number; readonly name: string }
  | { readonly kind: 'list'; readonly at: number; readonly items: readonly Expr[] }
  | { readonly kind: 'tuple'; readonly at: number; readonly items: readonly Expr[] }
  | { readonly kind: 'dict'; readonly at: number; readonly pairs: readonly (readonly [Expr, Expr])[] }
  | { readonly kind: 'attr'; readonly at: number; readonly target: Expr; readonly name: string }
  | { readonly kind: 'item'; readonly at: number; readonly target: Expr; readonly key: Expr }
  | { readonly kind: 'slice'; readonly at: number; readonly target: Expr; readonly start?: Expr; readonly stop?: Expr; readonly step?: Expr }
  | ({ readonly kind: 'call'; readonly at: number; readonly callee: Expr } & Args)
  | ({ readonly kind: 'filter'; readonly at: number; readonly target: Expr | undefined; readonly name: string } & Args)
  | ({ readonly kind: 'test'; readonly at: number; readonly target: Expr; readonly name: string; readonly negated: boolean } & Args)
  | { readonly kind: 'unary'; readonly at: number; readonly op: '-' | '+' | 'not'; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly at: number; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'compare'; readonly at: number; readonly first: Expr; readonly rest: readonly { readonly op: CompareOp; readonly expr: Expr }[] }
  | { readonly kind: 'logical'; readonly at: number; readonly op: 'and' | 'or'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'cond'; readonly at: number; readonly test: Expr; readonly then: Expr; readonly otherwise?: Expr }
  | { readonly kind: 'concat'; readonly at: number; readonly parts: readonly Expr[] }

export type BinaryOp = '+' | '-' | '*' | '/' | '//' | '%' | '**'
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'notin'

export interface Args {
  readonly args: readonly Expr[]
  readonly kwargs: readonly (readonly [string, Expr])[]
  readonly starArgs?: Expr
  readonly starKwargs?: Expr
}

/** An assignment target: a name, a tuple of targets, or `ns.attr` (namespace attributes). */
export type Target =
  | { readonly kind: 'name'; readonly at: number; readonly name: string }
  | { readonly kind: 'tuple'; readonly at: number; readonly items: readonly Target[] }
  | { readonly kind: 'nsattr'; readonly at: number; readonly name: string; readonly attr: string }

export interface Param {
  readonly name: string
  readonly at: number
  readonly default?: Expr
}

export type Node =
  | { readonly kind: 'text'; readonly at: number; readonly value: string }
  | { readonly kind: 'output'; readonly at: number; readonly expr: Expr }
  | { readonly kind: 'if'; readonly at: number; readonly branches: readonly { readonly test: Expr; readonly body: readonly Node[] }[]; readonly otherwise: readonly Node[] }
  | {
      readonly kind: 'for'
      readonly at: number
      readonly target: Target
      readonly iter: Expr
      readonly filter?: Expr
      readonly recursive: boolean
      readonly body: readonly Node[]
      readonly otherwise: readonly Node[]
    }
  | { readonly kind: 'set'; readonly at: number; readonly target: Target; readonly expr: Expr }
  | { readonly kind: 'setblock'; readonly at: number; readonly target: Target; readonly filters: readonly Expr[]; readonly body: readonly Node[] }
  | { readonly kind: 'macro'; readonly at: number; readonly name: string; readonly params: readonly Param[]; readonly body: readonly Node[] }
  | { readonly kind: 'callblock'; readonly at: number; readonly call: Expr; readonly params: readonly Param[]; readonly body: readonly Node[] }
  | { readonly kind: 'filterblock'; readonly at: number; readonly filters: readonly Expr[]; readonly body: readonly Node[] }
  | { readonly kind: 'with'; readonly at: number; readonly assignments: readonly (readonly [Target, Expr])[]; readonly body: readonly Node[] }
  | { readonly kind: 'include'; readonly at: number; readonly template: Expr; readonly ignoreMissing: boolean; readonly withContext: boolean }

export interface Template {
  readonly body: readonly Node[]
  /** The text as lexed (line breaks normalized, one trailing newline dropped): offsets point into it. */
  readonly source: string
}
