/**
 * Ansible's loops: the items of `loop:`/`with_*:` rendered once, each bound to `loop_var` (default
 * `item`) as data: an item from a host is never rendered again. A looped task is one task in the
 * recap, like Ansible's; its registered value has `results`, one entry per item.
 */
import { ConfigError } from '../errors.js'
import type { LoopSpec, Vars } from '../playbook/model.js'
import { renderValue } from '../template/playbook.js'
import type { TaskOutcome } from './outcome.js'

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)

export function loopItems(loop: LoopSpec, vars: Vars): unknown[] {
  const value = renderValue(loop.items, vars, loop.source)
  const fail = (message: string) => new ConfigError([{ ...loop.source, message, hint: loop.kind === 'with_dict' ? '`with_dict` takes a mapping.' : '`loop` takes a list (use `| dict2items` for a mapping).' }])
  if (loop.kind === 'with_dict') {
    if (!isMapping(value)) throw fail(`with_dict needs a mapping, got ${JSON.stringify(value)}`)
    return Object.entries(value).map(([key, v]) => ({ key, value: v }))
  }
  // with_items/with_list accept one value as a list of one, as Ansible's lookups do.
  const items = Array.isArray(value) ? value : loop.kind !== 'loop' && value !== undefined && value !== null ? [value] : undefined
  if (items === undefined) throw fail(`${loop.kind} needs a list, got ${JSON.stringify(value)}`)
  return loop.kind === 'with_items' ? items.flatMap((i) => (Array.isArray(i) ? i : [i])) : items
}

/** The variables one item adds: the loop var, index var, and Ansible's ansible_loop. */
export function itemData(loop: LoopSpec, item: unknown, index: number, length: number): Vars {
  return {
    [loop.loopVar]: item,
    ansible_loop_var: loop.loopVar,
    ...(loop.indexVar !== undefined ? { [loop.indexVar]: index, ansible_index_var: loop.indexVar } : {}),
    ansible_loop: { index: index + 1, index0: index, revindex: length - index, revindex0: length - index - 1, first: index === 0, last: index === length - 1, length },
  }
}

/** What the output shows for an item: `loop_control.label` rendered, else the item itself. */
export function itemLabel(loop: LoopSpec, vars: Vars, item: unknown): string {
  if (loop.label !== undefined) {
    try {
      return String(renderValue(loop.label, vars, loop.source))
    } catch {
      return loop.label
    }
  }
  return typeof item === 'string' ? item : JSON.stringify(item)
}

export interface ItemOutcome {
  readonly item: unknown
  readonly index: number
  readonly label: string
  readonly outcome: TaskOutcome
}

/** Ansible's aggregate: failed if one failed, changed if one changed, skipped if all skipped. */
export function combineItems(loop: LoopSpec, items: readonly ItemOutcome[]): TaskOutcome {
  const statuses = items.map((i) => i.outcome.status)
  const status: TaskOutcome['status'] = statuses.includes('unreachable') ? 'unreachable'
    : statuses.includes('failed') ? 'failed'
    : statuses.length > 0 && statuses.every((s) => s === 'skipped') ? 'skipped'
    : statuses.length === 0 ? 'skipped'
    : statuses.includes('changed') ? 'changed' : 'ok'
  const results = items.map((i) => ({
    ...i.outcome.result,
    [loop.loopVar]: i.item,
    ansible_loop_var: loop.loopVar,
    ...(loop.indexVar !== undefined ? { [loop.indexVar]: i.index, ansible_index_var: loop.indexVar } : {}),
  }))
  const messages = items.filter((i) => i.outcome.message !== undefined && i.outcome.message !== '').map((i) => `(item=${i.label}) ${i.outcome.message}`)
  const failedMsg = status === 'failed' ? 'One or more items failed' : undefined
  return {
    status,
    changes: items.flatMap((i) => i.outcome.changes.map((c) => ({ ...c, summary: `(item=${i.label}) ${c.summary}` }))),
    ...(messages.length > 0 ? { message: messages.join('\n') } : items.length === 0 ? { message: 'no items' } : {}),
    result: {
      results,
      changed: statuses.includes('changed'),
      failed: status === 'failed',
      ...(status === 'skipped' ? { skipped: true } : {}),
      msg: failedMsg ?? 'All items completed',
    },
  }
}
