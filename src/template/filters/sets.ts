/**
 * Ansible's set-theory filters (mathstuff.py): order-keeping lists built with `unique(..., True)`,
 * so `[1, 2] | union([2, 3])` is `[1, 2, 3]`. Python turns two hashable inputs (two strings) into
 * a set whose order is not defined; tend treats them as lists of characters.
 */
import { define, type CallContext, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { equals, isTuple, typeName } from '../values.js'
import { unique } from './lists.js'
import { contains, listOf } from './util.js'

const member = (container: unknown, item: unknown): boolean => contains(container, item, equals)

function concat(a: unknown, b: unknown): unknown[] {
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) return [...a, ...b]
  if (typeof a === 'string' && typeof b === 'string') return [...a, ...b]
  throw new TemplateError(`can only concatenate ${typeName(a)} (not "${typeName(b)}") to ${typeName(a)}`)
}

const intersect = (ctx: CallContext, a: unknown, b: unknown): unknown[] => unique(ctx, listOf(a, ctx).filter((x) => member(b, x)), true)
const union = (ctx: CallContext, a: unknown, b: unknown): unknown[] => unique(ctx, concat(a, b), true)

export const setFilters: CallableTable = {
  union: define(['a', 'b'], (ctx, a, b) => union(ctx, a, b)),
  intersect: define(['a', 'b'], (ctx, a, b) => intersect(ctx, a, b)),
  difference: define(['a', 'b'], (ctx, a, b) => unique(ctx, listOf(a, ctx).filter((x) => !member(b, x)), true)),
  symmetric_difference: define(['a', 'b'], (ctx, a, b) => {
    const both = intersect(ctx, a, b)
    return union(ctx, a, b).filter((x) => !both.some((y) => equals(x, y)))
  }),
}
