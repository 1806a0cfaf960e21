/**
 * from_yaml / from_yaml_all as Ansible's SafeLoader reads YAML 1.1: the `yaml` package parses
 * (every scalar kept as text), then PyYAML's resolvers and SafeConstructor decide the values
 * (`yes` is True, `0777` is 511, `1e3` stays a string, `<<` merges), so the result is what
 * Python would build. Keys become ordinary own keys; an alias shares the anchored value.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml'
import { TemplateError } from '../errors.js'
import { float, tuple, type Mapping } from '../values.js'
import { keyOf, setKey } from './util.js'
import { resolvePlain, TIMESTAMP } from './yaml-resolve.js'

const TAG = 'tag:yaml.org,2002:'

function constructInt(text: string): number {
  let value = text.replaceAll('_', '')
  let sign = 1
  if (value[0] === '-') sign = -1
  if (value[0] === '+' || value[0] === '-') value = value.slice(1)
  if (value === '0') return 0
  if (value.startsWith('0b')) return sign * Number.parseInt(value.slice(2), 2)
  if (value.startsWith('0x')) return sign * Number.parseInt(value.slice(2), 16)
  if (value[0] === '0') return sign * Number.parseInt(value, 8)
  if (value.includes(':')) return sign * value.split(':').reduce((acc, part) => acc * 60 + Number.parseInt(part, 10), 0)
  if (!/^\d+$/.test(value)) throw new TemplateError(`invalid literal for int() with base 10: '${text}'`)
  return sign * Number(value)
}

function constructFloat(text: string): unknown {
  let value = text.replaceAll('_', '').toLowerCase()
  let sign = 1
  if (value[0] === '-') sign = -1
  if (value[0] === '+' || value[0] === '-') value = value.slice(1)
  if (value === '.inf') return float(sign * Infinity)
  if (value === '.nan') return float(NaN)
  if (value.includes(':')) return float(sign * value.split(':').reduce((acc, part) => acc * 60 + Number(part), 0))
  const n = Number(value)
  if (Number.isNaN(n)) throw new TemplateError(`could not convert string to float: '${text}'`)
  return float(sign * n)
}

/** A YAML timestamp as Python's str() of the date or datetime SafeConstructor builds. */
function constructTimestamp(text: string): string {
  const m = /^(\d{4})-(\d\d?)-(\d\d?)(?:(?:[Tt]|[ \t]+)(\d\d?):(\d\d):(\d\d)(?:\.(\d*))?(?:[ \t]*(Z|([-+])(\d\d?)(?::(\d\d))?))?)?$/.exec(text)
  if (!m) return text
  const p2 = (s: string | undefined): string => (s ?? '0').padStart(2, '0')
  const date = `${m[1]}-${p2(m[2])}-${p2(m[3])}`
  if (m[4] === undefined) return date
  let out = `${date} ${p2(m[4])}:${m[5]}:${m[6]}`
  const fraction = m[7] ?? ''
  if (fraction !== '' && Number(fraction.slice(0, 6)) !== 0) out += `.${fraction.slice(0, 6).padEnd(6, '0')}`
  if (m[8] === 'Z') out += '+00:00'
  else if (m[8] !== undefined) out += `${m[9]}${p2(m[10])}:${m[11] ?? '00'}`
  return out
}

class Constructor {
  private readonly built = new Map<YamlNode, unknown>()

  constructor(
    private readonly doc: Document,
    private readonly charge: (n: number) => void,
  ) {}

  node(n: unknown, depth = 0): unknown {
    if (depth > 500) throw new TemplateError('from_yaml: the document nests too deeply')
    this.charge(1)
    if (isAlias(n)) {
      const target = n.resolve(this.doc)
      if (target === undefined) throw new TemplateError(`found undefined alias '${n.source}'`)
      return this.node(target, depth + 1)
    }
    if (n === null || n === undefined) return null
    const node = n as YamlNode
    if (this.built.has(node)) return this.built.get(node)
    if (isScalar(node)) {
      const value = this.scalar(node.value === null || node.value === undefined ? '' : String(node.value), node.type === 'PLAIN', node.tag)
      this.built.set(node, value)
      return value
    }
    if (isSeq(node)) {
      const tag = node.tag
      if (tag !== undefined && tag !== `${TAG}seq` && tag !== `${TAG}omap` && tag !== `${TAG}pairs` && tag !== '!') this.unknownTag(tag)
      const out: unknown[] = []
      this.built.set(node, out)
      for (const item of node.items) {
        if ((tag === `${TAG}omap` || tag === `${TAG}pairs`) && isMap(item) && item.items.length === 1) {
          const pair = item.items[0]!
          out.push(tuple([this.node(pair.key, depth + 1), this.node(pair.value, depth + 1)]))
        } else out.push(this.node(item, depth + 1))
      }
      return out
    }
    if (isMap(node)) {
      const tag = node.tag
      if (tag !== undefined && tag !== `${TAG}map` && tag !== `${TAG}set` && tag !== '!') this.unknownTag(tag)
      const out: Mapping = {}
      this.built.set(node, out)
      for (const [k, v] of this.flatten(node, depth)) {
        const key = this.node(k, depth + 1)
        if (Array.isArray(key) || (key !== null && typeof key === 'object')) throw new TemplateError('while constructing a mapping: found unhashable key')
        setKey(out, keyOf(key), tag === `${TAG}set` ? null : this.node(v, depth + 1))
      }
      return out
    }
    throw new TemplateError('from_yaml: unsupported YAML node')
  }

  /** PyYAML's flatten_mapping: `<<` pairs first (later maps of a list lose), then the node's own. */
  private flatten(node: YamlNode, depth: number): [unknown, unknown][] {
    if (!isMap(node)) return []
    const merged: [unknown, unknown][] = []
    const own: [unknown, unknown][] = []
    for (const pair of node.items) {
      const key = pair.key
      if (isScalar(key) && key.type === 'PLAIN' && key.tag === undefined && String(key.value ?? '') === '<<') {
        let value: unknown = pair.value
        if (isAlias(value)) value = value.resolve(this.doc)
        if (isMap(value)) merged.push(...this.flatten(value, depth + 1))
        else if (isSeq(value)) {
          const parts: [unknown, unknown][][] = []
          for (const item of value.items) {
            const sub: unknown = isAlias(item) ? item.resolve(this.doc) : item
            if (!isMap(sub)) throw new TemplateError('while constructing a mapping: expected a mapping for merging')
            parts.push(this.flatten(sub, depth + 1))
          }
          for (const part of parts.reverse()) merged.push(...part)
        } else throw new TemplateError('while constructing a mapping: expected a mapping or list of mappings for merging')
      } else own.push([key, pair.value])
    }
    return [...merged, ...own]
  }

  private unknownTag(tag: string): never {
    throw new TemplateError(`could not determine a constructor for the tag '${tag}'`)
  }

  private scalar(text: string, plain: boolean, tag: string | undefined): unknown {
    let kind: string
    if (tag === undefined) kind = plain ? resolvePlain(text) : 'str'
    else if (tag === '!') kind = 'str'
    else if (tag.startsWith(TAG)) kind = tag.slice(TAG.length)
    else this.unknownTag(tag)
    switch (kind) {
      case 'str':
        return text
      case 'null':
        return null
      case 'bool': {
        const lower = text.toLowerCase()
        if (['yes', 'true', 'on'].includes(lower)) return true
        if (['no', 'false', 'off'].includes(lower)) return false
        throw new TemplateError(`could not construct a bool from '${text}'`)
      }
      case 'int':
        return constructInt(text)
      case 'float':
        return constructFloat(text)
      case 'timestamp':
        if (!TIMESTAMP.test(text)) throw new TemplateError(`could not construct a timestamp from '${text}'`)
        return constructTimestamp(text)
      case 'binary':
        return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('latin1')
      default:
        return this.unknownTag(tag ?? `${TAG}${kind}`)
    }
  }
}

/** Every document of a YAML stream, built as Ansible's SafeLoader builds it. */
export function loadYamlAll(text: string, charge: (n: number) => void = () => {}): unknown[] {
  const docs = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, version: '1.1', merge: false, strict: false, prettyErrors: false })
  const list = Array.isArray(docs) ? docs : []
  const out: unknown[] = []
  for (const doc of list) {
    const error = doc.errors[0]
    if (error) throw new TemplateError(`from_yaml: ${error.message.split('\n')[0]}`)
    out.push(new Constructor(doc, charge).node(doc.contents))
  }
  return out
}

/** A single YAML document (None for an empty stream); more than one is an error, as yaml.load says. */
export function loadYaml(text: string, charge?: (n: number) => void): unknown {
  const docs = loadYamlAll(text, charge)
  if (docs.length > 1) throw new TemplateError('expected a single document in the stream, but found another document')
  return docs.length === 0 ? null : docs[0]
}

