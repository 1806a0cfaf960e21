/**
 * Every test a template may use (`x is defined`, `result is failed`), Jinja 3.1's and Ansible
 * 2.14's, with their rules for an undefined value: the type tests (`none`, `string`, `mapping`,
 * `defined`, ...) answer for it, as Jinja's do; the others raise the undefined error. A test
 * returns what Python's returns: `{'failed': 'yes'} is failed` is `'yes'`, so the evaluator
 * should take a test's truthiness, not its identity with true. Tests that would read the
 * controller's filesystem (file, directory, exists, ...) are refused.
 */
import { define, type Callable, type CallableTable } from './callable.js'
import { TemplateError } from './errors.js'
import { filters } from './filters/index.js'
import { parseIp } from './filters/net.js'
import { isHashable } from './filters/lists.js'
import * as py from './filters/pystring.js'
import { contains } from './filters/util.js'
import { versionCompare } from './filters/version.js'
import { urlsplit } from './filters/net.js'
import * as re from './regex.js'
import { compare, defined, equals, isFloat, isMapping, isTuple, numberOf, PyFloat, str, truthy, typeName, Undefined } from './values.js'

/** A test that answers for an undefined value itself. */
const forAny = (params: readonly string[], fn: Callable['fn']): Callable => define(params, fn, { acceptsUndefined: true })

function resultDict(value: unknown, name: string): Record<string, unknown> {
  if (!isMapping(value)) throw new TemplateError(`The '${name}' test expects a dictionary`)
  return value
}

const get = (d: Record<string, unknown>, key: string, fallback: unknown): unknown => (Object.hasOwn(d, key) ? d[key] : fallback)

function changed(value: unknown): unknown {
  const result = resultDict(value, 'changed')
  if (Object.hasOwn(result, 'changed')) return result.changed
  const results = result.results
  if (Array.isArray(results) && !isTuple(results)) {
    if (results.length === 0) throw new TemplateError('list index out of range')
    if (isMapping(results[0])) return results.some((r) => isMapping(r) && truthy(get(r, 'changed', false)))
  }
  return false
}

/** Python's `a % b` for the even/odd/divisibleby tests. */
function modulo(a: unknown, b: unknown): number {
  defined(a)
  if (typeof a === 'string') throw new TemplateError('not all arguments converted during string formatting')
  const x = numberOf(a)
  const y = typeof b === 'string' ? undefined : numberOf(b)
  if (x === undefined || y === undefined) throw new TemplateError(`unsupported operand type(s) for %: '${typeName(a)}' and '${typeName(b)}'`)
  if (y === 0) throw new TemplateError(isFloat(a) || isFloat(b) ? 'float modulo' : 'integer modulo by zero')
  return ((x % y) + y) % y
}

function regexTest(value: unknown, pattern: unknown, ignorecase: unknown, multiline: unknown, matchType: unknown): boolean {
  const text = str(defined(value))
  if (typeof pattern !== 'string') throw new TemplateError('first argument must be string or compiled pattern')
  const p = re.compile(pattern, (truthy(ignorecase) ? re.IGNORECASE : 0) | (truthy(multiline) ? re.MULTILINE : 0))
  switch (matchType) {
    case 'match':
      return re.match(p, text) !== null
    case 'fullmatch':
      return re.fullmatch(p, text) !== null
    case 'search':
      return re.search(p, text) !== null
    default:
      // Ansible's getattr(_re, match_type, 'search') falls back to the string 'search', then calls it.
      throw new TemplateError("'str' object is not callable")
  }
}

/** Python's set(a) <= set(b) over hashable items. */
function subset(a: unknown, b: unknown): boolean {
  const items = (v: unknown): unknown[] => {
    const list = typeof v === 'string' ? [...v] : Array.isArray(v) ? v : isMapping(v) ? Object.keys(v) : undefined
    if (list === undefined) {
      defined(v)
      throw new TemplateError(`'${typeName(v)}' object is not iterable`)
    }
    for (const x of list) if (!isHashable(x)) throw new TemplateError(`unhashable type: '${typeName(x)}'`)
    return list
  }
  const small = items(a)
  const big = items(b)
  return small.every((x) => big.some((y) => equals(x, y)))
}

const BOOLEANS_TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't'])
const BOOLEANS_FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f'])

/** Ansible's truthy(value, convert_bool). */
function truthyTest(value: unknown, convert: unknown): boolean {
  if (truthy(convert)) {
    if (typeof value === 'boolean') return value
    if (typeof value === 'string') {
      const n = py.strip(value.toLowerCase(), null)
      if (BOOLEANS_TRUE.has(n)) return true
      if (BOOLEANS_FALSE.has(n)) return false
    } else if (typeof value === 'number' || value instanceof PyFloat) {
      const n = numberOf(value)
      if (n === 1) return true
      if (n === 0) return false
    }
  }
  return truthy(defined(value))
}

function isUri(value: unknown, schemes: unknown): boolean {
  if (typeof value !== 'string') return false
  try {
    const scheme = urlsplit(value).scheme
    return schemes === null || !truthy(schemes) || contains(schemes, scheme, equals)
  } catch {
    return false
  }
}

function isUrl(value: unknown, schemes: unknown): boolean {
  if (!isUri(value, schemes)) return false
  const parts = urlsplit(value as string)
  return truthy(parts.netloc) || parts.scheme === 'file'
}

const comparison = (op: (c: number) => boolean) => define(['a', 'b'], (_c, a, b) => op(compare(a, b)))
const eq = define(['a', 'b'], (_c, a, b) => equals(a, b))
const ne = define(['a', 'b'], (_c, a, b) => !equals(a, b))
const gt = comparison((c) => c > 0)
const ge = comparison((c) => c >= 0)
const lt = comparison((c) => c < 0)
const le = comparison((c) => c <= 0)

const refusedFileTest = (name: string): Callable => define(['path'], () => {
  throw new TemplateError(`the '${name}' test would read the controller's filesystem, which tend's templates never do`)
})

const ipTest = (version: 4 | 6 | undefined, addressOnly: boolean): Callable => define(['value'], (_c, value) => {
  const ip = parseIp(value)
  return ip !== undefined && (version === undefined || ip.version === version) && (!addressOnly || ip.prefix === undefined)
})

const failed = define(['result'], (_c, r) => get(resultDict(r, 'failed'), 'failed', false))
const success = define(['result'], (_c, r) => !truthy(get(resultDict(r, 'failed'), 'failed', false)))
const unreachable = define(['result'], (_c, r) => get(resultDict(r, 'unreachable'), 'unreachable', false))
const skipped = define(['result'], (_c, r) => get(resultDict(r, 'skipped'), 'skipped', false))
const changedTest = define(['result'], (_c, r) => changed(r))
const version = define(['value', 'version', 'operator', 'strict', 'version_type'], (_c, v, ver, op = 'eq', strict = null, type = null) => versionCompare(v, ver, op, strict, type))
const subsetTest = define(['a', 'b'], (_c, a, b) => subset(a, b))
const supersetTest = define(['a', 'b'], (_c, a, b) => subset(b, a))
const nan = define(['x'], (_c, x) => {
  const n = typeof x === 'string' ? undefined : numberOf(x)
  return n !== undefined && Number.isNaN(n)
})
const abs = define(['path'], (_c, p) => {
  if (typeof p !== 'string') throw new TemplateError(`expected str, bytes or os.PathLike object, not ${typeName(p)}`)
  return p.startsWith('/')
})

export const tests: CallableTable = {
  // Jinja
  defined: forAny(['value'], (_c, v) => !(v instanceof Undefined)),
  undefined: forAny(['value'], (_c, v) => v instanceof Undefined),
  none: forAny(['value'], (_c, v) => v === null),
  boolean: forAny(['value'], (_c, v) => typeof v === 'boolean'),
  true: forAny(['value'], (_c, v) => v === true),
  false: forAny(['value'], (_c, v) => v === false),
  integer: forAny(['value'], (_c, v) => typeof v === 'number' && Number.isInteger(v)),
  float: forAny(['value'], (_c, v) => v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v))),
  number: forAny(['value'], (_c, v) => typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat),
  string: forAny(['value'], (_c, v) => typeof v === 'string'),
  mapping: forAny(['value'], (_c, v) => isMapping(v)),
  sequence: forAny(['value'], (_c, v) => typeof v === 'string' || Array.isArray(v) || isMapping(v)),
  iterable: define(['value'], (_c, v) => typeof v === 'string' || Array.isArray(v) || isMapping(v)),
  // An undefined value is callable in Jinja (its __call__ raises); data never is.
  callable: forAny(['value'], (_c, v) => v instanceof Undefined),
  sameas: forAny(['value', 'other'], (_c, v, o) => (v instanceof Undefined || o instanceof Undefined ? v === o : Object.is(v, o))),
  escaped: forAny(['value'], (_c, v) => v instanceof Undefined),
  odd: define(['value'], (_c, v) => modulo(v, 2) === 1),
  even: define(['value'], (_c, v) => modulo(v, 2) === 0),
  divisibleby: define(['value', 'num'], (_c, v, n) => modulo(v, n) === 0),
  lower: define(['value'], (_c, v) => py.islower(str(v))),
  upper: define(['value'], (_c, v) => py.isupper(str(v))),
  in: define(['value', 'seq'], (_c, v, seq) => contains(seq, v, equals)),
  filter: define(['value'], (_c, v) => {
    if (typeof v !== 'string') throw new TemplateError(`key must be a string, got ${typeName(v)} instead`)
    if (!Object.hasOwn(filters, v)) throw new TemplateError(`Could not load "${v}": '${v}'`)
    return true
  }),
  test: define(['value'], (_c, v) => {
    if (typeof v !== 'string') throw new TemplateError(`key must be a string, got ${typeName(v)} instead`)
    if (!Object.hasOwn(tests, v)) throw new TemplateError(`Could not load "${v}": '${v}'`)
    return true
  }),
  '==': eq,
  eq,
  equalto: eq,
  '!=': ne,
  ne,
  '>': gt,
  gt,
  greaterthan: gt,
  '>=': ge,
  ge,
  '<': lt,
  lt,
  lessthan: lt,
  '<=': le,
  le,
  // Ansible: task results
  failed,
  failure: failed,
  succeeded: success,
  success,
  successful: success,
  unreachable,
  reachable: define(['result'], (_c, r) => !truthy(get(resultDict(r, 'unreachable'), 'unreachable', false))),
  changed: changedTest,
  change: changedTest,
  skipped,
  skip: skipped,
  started: define(['result'], (_c, r) => {
    const d = resultDict(r, 'started')
    return Object.hasOwn(d, 'started') ? equals(d.started, 1) : true
  }),
  finished: define(['result'], (_c, r) => {
    const d = resultDict(r, 'finished')
    return Object.hasOwn(d, 'finished') ? equals(d.finished, 1) : true
  }),
  // Ansible: regex, versions, lists, truthiness
  match: define(['value', 'pattern', 'ignorecase', 'multiline'], (_c, v, p = '', i = false, m = false) => regexTest(v, p, i, m, 'match')),
  search: define(['value', 'pattern', 'ignorecase', 'multiline'], (_c, v, p = '', i = false, m = false) => regexTest(v, p, i, m, 'search')),
  regex: define(['value', 'pattern', 'ignorecase', 'multiline', 'match_type'], (_c, v, p = '', i = false, m = false, t = 'search') => regexTest(v, p, i, m, t)),
  version,
  version_compare: version,
  any: define(['iterable'], (_c, v) => listOfValues(v).some((x) => truthy(defined(x)))),
  all: define(['iterable'], (_c, v) => listOfValues(v).every((x) => truthy(defined(x)))),
  truthy: define(['value', 'convert_bool'], (_c, v, c = false) => truthyTest(v, c)),
  falsy: define(['value', 'convert_bool'], (_c, v, c = false) => !truthyTest(v, c)),
  vault_encrypted: define(['value'], () => false),
  subset: subsetTest,
  issubset: subsetTest,
  superset: supersetTest,
  issuperset: supersetTest,
  contains: define(['seq', 'value'], (_c, seq, v) => contains(seq, v, equals)),
  nan,
  isnan: nan,
  uri: define(['value', 'schemes'], (_c, v, s = null) => isUri(v, s)),
  url: define(['value', 'schemes'], (_c, v, s = null) => isUrl(v, s)),
  urn: define(['value'], (_c, v) => isUri(v, ['urn'])),
  abs,
  is_abs: abs,
  // Ansible: the controller's filesystem (refused)
  ...Object.fromEntries(['directory', 'is_dir', 'file', 'is_file', 'link', 'is_link', 'exists', 'link_exists', 'same_file', 'is_same_file', 'mount', 'is_mount'].map((n) => [n, refusedFileTest(n)])),
  // ansible.utils (ipaddr-lite)
  ip: ipTest(undefined, false),
  ipv4: ipTest(4, false),
  ipv6: ipTest(6, false),
  ip_address: ipTest(undefined, true),
  ipv4_address: ipTest(4, true),
  ipv6_address: ipTest(6, true),
  'ansible.utils.ip': ipTest(undefined, false),
  'ansible.utils.ipv4': ipTest(4, false),
  'ansible.utils.ipv6': ipTest(6, false),
  'ansible.utils.ip_address': ipTest(undefined, true),
  'ansible.utils.ipv4_address': ipTest(4, true),
  'ansible.utils.ipv6_address': ipTest(6, true),
}

function listOfValues(v: unknown): unknown[] {
  if (typeof v === 'string') return [...v]
  if (Array.isArray(v)) return v
  if (isMapping(v)) return Object.keys(v)
  defined(v)
  throw new TemplateError(`'${typeName(v)}' object is not iterable`)
}
