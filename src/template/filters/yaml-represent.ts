/**
 * The first half of Ansible's to_yaml: PyYAML's SafeRepresenter and Serializer over template
 * values. Keys are sorted (sort_keys), a collection of plain scalars is written in flow style
 * unless default_flow_style says otherwise, and a list or dict that appears twice gets an
 * `&id001` anchor and `*id001` aliases. The result is the event list yaml-emit.ts writes.
 */
import { TemplateError } from '../errors.js'
import { defined, isMapping, PyFloat, typeName, Undefined } from '../values.js'
import { codePointCompare } from './util.js'
import { resolvePlain } from './yaml-resolve.js'

export interface DumpOptions {
  /** null: flow style for collections of plain scalars; false: always block; true: always flow. */
  readonly defaultFlowStyle: boolean | null
  readonly indent: number
  readonly width: number
  readonly sortKeys: boolean
  readonly explicitStart: boolean
  readonly explicitEnd: boolean
  readonly lineBreak: string
  readonly allowUnicode: boolean
}

type Tag = 'str' | 'int' | 'float' | 'bool' | 'null' | 'seq' | 'map'

export type Event =
  | { kind: 'scalar'; anchor: string | null; tag: Tag; value: string; implicit: [boolean, boolean] }
  | { kind: 'seq' | 'map'; anchor: string | null; flow: boolean }
  | { kind: 'end' | 'docend' }
  | { kind: 'alias'; anchor: string }

type Node =
  | { kind: 'scalar'; tag: Tag; value: string }
  | { kind: 'seq'; items: Node[]; flow: boolean }
  | { kind: 'map'; pairs: [Node, Node][]; flow: boolean }

function floatText(n: number): string {
  if (Number.isNaN(n)) return '.nan'
  if (n === Infinity) return '.inf'
  if (n === -Infinity) return '-.inf'
  let text: string
  if (n === 0) text = Object.is(n, -0) ? '-0.0' : '0.0'
  else {
    const abs = Math.abs(n)
    if (abs >= 1e16 || abs < 1e-4) {
      const [mantissa = '', exponent = '0'] = n.toExponential().split('e')
      const e = Number(exponent)
      text = `${mantissa}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
    } else {
      text = String(n)
      if (!text.includes('.')) text += '.0'
    }
  }
  return !text.includes('.') && text.includes('e') ? text.replace('e', '.0e') : text
}

function represent(value: unknown, options: DumpOptions, memo: Map<object, Node>, charge: (n: number) => void): Node {
  charge(1)
  if (value instanceof Undefined) defined(value)
  if (value === null) return { kind: 'scalar', tag: 'null', value: 'null' }
  if (typeof value === 'boolean') return { kind: 'scalar', tag: 'bool', value: value ? 'true' : 'false' }
  if (value instanceof PyFloat) return { kind: 'scalar', tag: 'float', value: floatText(value.value) }
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { kind: 'scalar', tag: 'float', value: floatText(value) }
    return { kind: 'scalar', tag: 'int', value: Number.isSafeInteger(value) ? String(value) : BigInt(value).toString() }
  }
  if (typeof value === 'string') return { kind: 'scalar', tag: 'str', value }
  if (Array.isArray(value) || isMapping(value)) {
    const seen = memo.get(value)
    if (seen) return seen
    const plainScalar = (n: Node): boolean => n.kind === 'scalar'
    if (Array.isArray(value)) {
      const node: Node = { kind: 'seq', items: [], flow: false }
      memo.set(value, node)
      for (const item of value) node.items.push(represent(item, options, memo, charge))
      node.flow = options.defaultFlowStyle ?? node.items.every(plainScalar)
      return node
    }
    const node: Node = { kind: 'map', pairs: [], flow: false }
    memo.set(value, node)
    const keys = Object.keys(value)
    if (options.sortKeys) keys.sort(codePointCompare)
    for (const k of keys) node.pairs.push([represent(k, options, memo, charge), represent(value[k], options, memo, charge)])
    node.flow = options.defaultFlowStyle ?? node.pairs.every(([k, v]) => plainScalar(k) && plainScalar(v))
    return node
  }
  throw new TemplateError(`cannot represent an object: ${typeName(value)}`)
}

function serialize(root: Node): Event[] {
  const anchors = new Map<Node, string | null>()
  let last = 0
  const mark = (node: Node): void => {
    if (anchors.has(node)) {
      if (anchors.get(node) === null) anchors.set(node, `id${String(++last).padStart(3, '0')}`)
      return
    }
    anchors.set(node, null)
    if (node.kind === 'seq') node.items.forEach(mark)
    else if (node.kind === 'map') node.pairs.forEach(([k, v]) => (mark(k), mark(v)))
  }
  mark(root)
  const events: Event[] = []
  const done = new Set<Node>()
  const emit = (node: Node): void => {
    const anchor = anchors.get(node) ?? null
    if (done.has(node)) {
      events.push({ kind: 'alias', anchor: anchor! })
      return
    }
    done.add(node)
    if (node.kind === 'scalar') {
      const detected = resolvePlain(node.value)
      events.push({ kind: 'scalar', anchor, tag: node.tag, value: node.value, implicit: [node.tag === detected, node.tag === 'str'] })
    } else if (node.kind === 'seq') {
      events.push({ kind: 'seq', anchor, flow: node.flow })
      node.items.forEach(emit)
      events.push({ kind: 'end' })
    } else {
      events.push({ kind: 'map', anchor, flow: node.flow })
      for (const [k, v] of node.pairs) {
        emit(k)
        emit(v)
      }
      events.push({ kind: 'end' })
    }
  }
  emit(root)
  events.push({ kind: 'docend' })
  return events
}

/** The events for one document holding `value`. */
export function serializeValue(value: unknown, options: DumpOptions, charge: (n: number) => void): Event[] {
  return serialize(represent(value, options, new Map(), charge))
}
