/**
 * Ansible's free-form module arguments and its argument types, ported from ansible-core:
 * parsing/splitter.py (split_args, parse_kv), parsing/quoting.py (unquote) and
 * module_utils/common/validation.py (check_type_bool/int/float/list/str). Pure functions.
 */

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)

/** Keys a free-form module (command, shell) takes out of its command line (parse_kv check_raw). */
export const FREE_FORM_KEYS = ['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends'] as const

function quoteState(token: string, quote: string | undefined): string | undefined {
  for (let i = 0; i < token.length; i++) {
    const c = token[i]!
    if ((c === '"' || c === "'") && (i === 0 || token[i - 1] !== '\\')) {
      if (quote === undefined) quote = c
      else if (c === quote) quote = undefined
    }
  }
  return quote
}

const count = (text: string, part: string): number => text.split(part).length - 1

function depthAfter(token: string, depth: number, open: string, close: string): number {
  const opened = count(token, open)
  const closed = count(token, close)
  return opened === closed ? depth : Math.max(0, depth + opened - closed)
}

/**
 * split_args: words split on spaces, but a quoted string or a `{{ }}`/`{% %}`/`{# #}` block stays
 * one word (quotes kept; unquoting is parse_kv's). Undefined for unbalanced quotes or blocks.
 */
export function splitArgs(text: string): string[] | undefined {
  const params: string[] = []
  const lines = text.split('\n')
  let quote: string | undefined
  let inside = false
  const depth = { print: 0, block: 0, comment: 0 }
  const inBlock = () => depth.print > 0 || depth.block > 0 || depth.comment > 0
  for (const [lineIndex, line] of lines.entries()) {
    const tokens = line.split(' ')
    let continued = false
    for (const [i, token] of tokens.entries()) {
      if (token.length === 0 && i !== 0) {
        if (params.length > 0) params[params.length - 1] += ' '
        continue
      }
      if (token === '\\' && !inside) {
        continued = true
        continue
      }
      const wasInside = inside
      quote = quoteState(token, quote)
      inside = quote !== undefined
      let appended = false
      if (inside && !wasInside && !inBlock()) {
        params.push(token)
        appended = true
      } else if (inBlock() || inside || wasInside) {
        if (params.length === 0) params.push('')
        const last = params.length - 1
        if (i === 0 && wasInside) params[last] += token
        else if (tokens.length > 1) params[last] += `${i > 0 ? ' ' : ''}${token}`
        else params[last] += `\n${token}`
        appended = true
      }
      for (const [key, open, close] of [['print', '{{', '}}'], ['block', '{%', '%}'], ['comment', '{#', '#}']] as const) {
        const before = depth[key]
        depth[key] = depthAfter(token, before, open, close)
        if (depth[key] !== before && !appended) {
          params.push(token)
          appended = true
        }
      }
      if (!inBlock() && !inside && !appended && token !== '') params.push(token)
    }
    if (lines.length > 1 && lineIndex !== lines.length - 1 && !continued && params.length > 0) params[params.length - 1] += '\n'
  }
  return inBlock() || inside ? undefined : params
}

/** Ansible's unquote: one pair of matching outer quotes removed. */
export function unquote(text: string): string {
  const quoted = text.length > 1 && text[0] === text.at(-1) && (text[0] === '"' || text[0] === "'") && text.at(-2) !== '\\'
  return quoted ? text.slice(1, -1) : text
}

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }

/** _decode_escapes: Python's unicode-escape for \\n, \\t, \\xHH, \\uHHHH, \\UHHHHHHHH. */
function decodeEscapes(text: string): string {
  return text.replace(/\\(U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[\\'"abfnrtv])/g, (_, e: string) =>
    e.length > 1 ? String.fromCodePoint(parseInt(e.slice(1), 16)) : ESCAPES[e]!)
}

/** The result of parse_kv: the `k=v` options, and the other words joined (`_raw_params`). */
export interface ParsedKv {
  readonly options: Mapping
  readonly raw?: string
}

/**
 * parse_kv: `a=1 b="x y"` → {a: '1', b: 'x y'}. With `freeForm` (command, shell), only
 * FREE_FORM_KEYS are options and every other word stays in the command line, quotes and all.
 */
export function parseKv(text: string, freeForm = false): ParsedKv | { readonly error: string } {
  const words = splitArgs(text)
  if (words === undefined) return { error: 'unbalanced quotes or {{ }} in the arguments' }
  const options: Mapping = {}
  const raw: string[] = []
  for (const word of words) {
    const x = decodeEscapes(word)
    let eq = -1
    for (let i = 1; i < x.length; i++) if (x[i] === '=' && x[i - 1] !== '\\') { eq = i; break }
    if (eq === -1) {
      raw.push(x.includes('=') ? x.replaceAll('\\=', '=') : word)
      continue
    }
    const key = x.slice(0, eq)
    if (freeForm && !(FREE_FORM_KEYS as readonly string[]).includes(key)) raw.push(word)
    else options[key.trim()] = unquote(x.slice(eq + 1).trim())
  }
  return { options, ...(raw.length > 0 ? { raw: joinArgs(raw) } : {}) }
}

function joinArgs(parts: readonly string[]): string {
  return parts.reduce((out, p) => (out === '' || out.endsWith('\n') ? out + p : `${out} ${p}`), '')
}

const TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't'])
const FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f'])

/** check_type_bool; undefined when the value is not one of Ansible's booleans. */
export function ansibleBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined
  if (typeof value !== 'string') return undefined
  const word = value.trim().toLowerCase()
  return TRUE.has(word) ? true : FALSE.has(word) ? false : undefined
}

/** check_type_int on a string: Python's int() (sign, digits, underscores between digits). */
function ansibleInt(value: string): number | undefined {
  const text = value.trim()
  return /^[+-]?\d+(_\d+)*$/.test(text) ? Number(text.replaceAll('_', '')) : undefined
}

function ansibleFloat(value: string): number | undefined {
  const text = value.trim()
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : undefined
}

/** Python's str() of a scalar, as check_type_str converts. */
function pythonStr(value: unknown): string | undefined {
  if (typeof value === 'boolean') return value ? 'True' : 'False'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value)
  return undefined
}

interface SchemaNode {
  readonly type?: string | readonly string[]
  readonly anyOf?: readonly SchemaNode[]
  readonly oneOf?: readonly SchemaNode[]
  readonly enum?: readonly unknown[]
  readonly properties?: Readonly<Record<string, SchemaNode>>
  readonly additionalProperties?: SchemaNode | boolean
  readonly items?: SchemaNode
}

const typesOf = (schema: SchemaNode): readonly string[] => {
  if (schema.type !== undefined) return typeof schema.type === 'string' ? [schema.type] : schema.type
  const branches = schema.anyOf ?? schema.oneOf
  return branches ? branches.flatMap(typesOf) : []
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string': return typeof value === 'string'
    case 'boolean': return typeof value === 'boolean'
    case 'integer': return typeof value === 'number' && Number.isInteger(value)
    case 'number': return typeof value === 'number'
    case 'array': return Array.isArray(value)
    case 'object': return isMapping(value)
    case 'null': return value === null
    default: return false
  }
}

/** One scalar converted to `type` as Ansible's check_type_* would; undefined when it cannot be. */
function convert(value: unknown, type: string): unknown {
  switch (type) {
    case 'boolean': return ansibleBool(value)
    case 'integer': return typeof value === 'string' ? ansibleInt(value) : undefined
    case 'number': return typeof value === 'string' ? ansibleFloat(value) : undefined
    case 'array': return typeof value === 'string' ? value.split(',') : typeof value === 'number' ? [String(value)] : undefined
    case 'string': return pythonStr(value)
    default: return undefined
  }
}

/** What coerceToSchema leaves alone. */
export interface CoerceOptions {
  /** Values kept as they are (templates, before rendering). */
  readonly keep?: (value: unknown) => boolean
  /** Numbers and booleans where a string is asked for: converted (Ansible does, with a warning). */
  readonly numbersToText?: boolean
  /** Properties whose text is never split at commas into a list (a command's argv). */
  readonly noSplit?: readonly string[]
}

/**
 * A value converted to what `schema` asks for, as Ansible's argument spec converts module
 * arguments (`enabled: "yes"`, `port=80`, `status=200,204`). Returns a new value; what cannot be
 * converted is left as it is (the schema check reports it).
 */
export function coerceToSchema(value: unknown, schema: unknown, options: CoerceOptions = {}, name?: string): unknown {
  const keep = options.keep ?? (() => false)
  if (!isMapping(schema) || keep(value)) return value
  const node = schema as SchemaNode
  if (isMapping(value)) {
    const props = node.properties ?? {}
    const extra = isMapping(node.additionalProperties) ? node.additionalProperties : undefined
    const branch = (node.anyOf ?? node.oneOf)?.find((b) => typesOf(b).includes('object'))
    if (branch !== undefined && node.properties === undefined) return coerceToSchema(value, branch, options, name)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, Object.hasOwn(props, k) ? coerceToSchema(v, props[k], options, k) : extra ? coerceToSchema(v, extra, options, k) : v]))
  }
  const types = typesOf(node)
  if (Array.isArray(value)) {
    const items = node.items ?? (node.anyOf ?? node.oneOf)?.find((b) => typesOf(b).includes('array'))?.items
    return items ? value.map((v) => coerceToSchema(v, items, options)) : value
  }
  if (types.length === 0 || types.some((t) => matchesType(value, t))) {
    if (node.enum !== undefined && !node.enum.includes(value) && typeof value !== 'string') {
      const asText = pythonStr(value)
      if (asText !== undefined && node.enum.includes(asText)) return asText
    }
    return value
  }
  // The first type the value converts to, in Ansible's order of preference: bool, int, float, list, str.
  for (const type of ['boolean', 'integer', 'number', 'array', 'string']) {
    if (!types.includes(type)) continue
    if (type === 'array' && name !== undefined && options.noSplit?.includes(name)) continue
    if (type === 'string' && options.numbersToText !== true) continue
    const converted = convert(value, type)
    if (converted === undefined) continue
    if (type === 'array') {
      const items = node.items ?? (node.anyOf ?? node.oneOf)?.find((b) => typesOf(b).includes('array'))?.items
      return items ? (converted as unknown[]).map((v) => coerceToSchema(v, items, options)) : converted
    }
    return converted
  }
  return value
}
