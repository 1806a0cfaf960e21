/**
 * Ansible's version comparison (the `version`/`version_compare` test): LooseVersion by default,
 * StrictVersion when strict, SemanticVersion for `semver`; the operators and the error messages
 * of plugins/test/core.py. `pep440` needs Python's packaging library and is refused.
 */
import { TemplateError } from '../errors.js'
import { str, truthy } from '../values.js'

type Part = number | string

/** LooseVersion: digit runs are ints, lowercase letter runs and anything else are strings. */
function loose(v: string): Part[] {
  const out: Part[] = []
  for (const piece of v.split(/(\d+|[a-z]+|\.)/)) {
    if (piece === '' || piece === '.') continue
    out.push(/^\d+$/.test(piece) ? Number(piece) : piece)
  }
  return out
}

/** Python's list comparison of LooseVersion parts: an int against a str is a TypeError. */
function compareLoose(a: Part[], b: Part[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!
    const y = b[i]!
    if (x === y) continue
    if (typeof x !== typeof y) {
      throw new TemplateError(`Version comparison failed: '<' not supported between instances of '${typeof x === 'number' ? 'int' : 'str'}' and '${typeof y === 'number' ? 'int' : 'str'}'`)
    }
    return x < y ? -1 : 1
  }
  return a.length - b.length
}

const STRICT = /^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?\n?$/

function strict(v: string): { version: number[]; pre: [string, number] | null } {
  const m = STRICT.exec(v)
  if (!m) throw new TemplateError(`Version comparison failed: invalid version number '${v}'`)
  return { version: [Number(m[1]), Number(m[2]), m[4] ? Number(m[4]) : 0], pre: m[5] ? [m[5][0]!, Number(m[6])] : null }
}

function compareStrict(a: string, b: string): number {
  const x = strict(a)
  const y = strict(b)
  for (let i = 0; i < 3; i++) if (x.version[i] !== y.version[i]) return x.version[i]! < y.version[i]! ? -1 : 1
  if (!x.pre && !y.pre) return 0
  if (x.pre && !y.pre) return -1
  if (!x.pre && y.pre) return 1
  const [p, q] = [x.pre!, y.pre!]
  if (p[0] !== q[0]) return p[0] < q[0] ? -1 : 1
  return p[1] === q[1] ? 0 : p[1] < q[1] ? -1 : 1
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?\n?$/

function semver(v: string): { core: number[]; pre: Part[] } {
  const m = SEMVER.exec(v)
  if (!m) throw new TemplateError(`Version comparison failed: invalid semantic version '${v}'`)
  const pre = m[4] ? m[4].split('.').map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : []
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre }
}

function compareSemver(a: string, b: string): number {
  const x = semver(a)
  const y = semver(b)
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! < y.core[i]! ? -1 : 1
  if (!x.pre.length && !y.pre.length) return 0
  if (x.pre.length && !y.pre.length) return -1
  if (!x.pre.length && y.pre.length) return 1
  for (let i = 0; i < Math.min(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i]!
    const q = y.pre[i]!
    if (p === q) continue
    if (typeof p === 'number' && typeof q === 'string') return -1
    if (typeof p === 'string' && typeof q === 'number') return 1
    return p < q ? -1 : 1
  }
  return x.pre.length === y.pre.length ? 0 : x.pre.length < y.pre.length ? -1 : 1
}

const OPERATORS: Readonly<Record<string, string>> = {
  '==': 'eq', '=': 'eq', eq: 'eq', '<': 'lt', lt: 'lt', '<=': 'le', le: 'le', '>': 'gt', gt: 'gt', '>=': 'ge', ge: 'ge', '!=': 'ne', '<>': 'ne', ne: 'ne',
}
const TYPES = ['loose', 'strict', 'semver', 'semantic', 'pep440']

/** plugins/test/core.py version_compare. */
export function versionCompare(value: unknown, version: unknown, operator: unknown = 'eq', strictFlag: unknown = null, versionType: unknown = null): boolean {
  if (strictFlag !== null && versionType !== null) throw new TemplateError("Cannot specify both 'strict' and 'version_type'")
  if (!truthy(value)) throw new TemplateError('Input version value cannot be empty')
  if (!truthy(version)) throw new TemplateError('Version parameter to compare against cannot be empty')
  let kind = 'loose'
  if (truthy(strictFlag)) kind = 'strict'
  else if (versionType !== null && truthy(versionType)) {
    const t = str(versionType)
    if (!TYPES.includes(t)) throw new TemplateError(`Invalid version type (${t}). Must be one of ${TYPES.map((x) => `'${x}'`).join(', ')}`)
    if (t === 'pep440') throw new TemplateError("The pep440 version_type requires the Python 'packaging' library, which tend does not have")
    kind = t === 'semantic' ? 'semver' : t
  }
  const op = typeof operator === 'string' && Object.hasOwn(OPERATORS, operator) ? OPERATORS[operator]! : undefined
  if (op === undefined) {
    throw new TemplateError(`Invalid operator type (${str(operator)}). Must be one of ${Object.keys(OPERATORS).map((x) => `'${x}'`).join(', ')}`)
  }
  const a = str(value)
  const b = str(version)
  let c: number
  if (kind === 'strict') c = compareStrict(a, b)
  else if (kind === 'semver') c = compareSemver(a, b)
  else {
    const x = loose(a)
    const y = loose(b)
    const same = x.length === y.length && x.every((p, i) => p === y[i])
    c = same ? 0 : compareLoose(x, y)
  }
  switch (op) {
    case 'eq':
      return c === 0
    case 'ne':
      return c !== 0
    case 'lt':
      return c < 0
    case 'le':
      return c <= 0
    case 'gt':
      return c > 0
    default:
      return c >= 0
  }
}
