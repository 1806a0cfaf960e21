/**
 * Path filters as Python's posixpath and ntpath compute them: pure string work. The ones that
 * would consult the controller (realpath's symlinks, expanduser's passwd, fileglob) stay lexical
 * or are refused: templates never read the controller's filesystem.
 */
import { define, type CallContext, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { tuple, typeName } from '../values.js'
import { strip } from './pystring.js'
import { listOf } from './util.js'

function pathText(v: unknown): string {
  if (typeof v !== 'string') throw new TemplateError(`expected str, bytes or os.PathLike object, not ${typeName(v)}`)
  return v
}

export const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1)

export function dirname(p: string): string {
  const head = p.slice(0, p.lastIndexOf('/') + 1)
  return head && head !== '/'.repeat(head.length) ? head.replace(/\/+$/, '') : head
}

export function splitext(p: string, sep = '/', altsep?: string): [string, string] {
  let sepIndex = p.lastIndexOf(sep)
  if (altsep !== undefined) sepIndex = Math.max(sepIndex, p.lastIndexOf(altsep))
  const dotIndex = p.lastIndexOf('.')
  if (dotIndex > sepIndex) {
    for (let i = sepIndex + 1; i < dotIndex; i++) if (p[i] !== '.') return [p.slice(0, dotIndex), p.slice(dotIndex)]
  }
  return [p, '']
}

/** posixpath.normpath. */
export function normpath(p: string): string {
  if (p === '') return '.'
  const initial = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0
  const parts: string[] = []
  for (const comp of p.split('/')) {
    if (comp === '' || comp === '.') continue
    if (comp !== '..' || (!initial && !parts.length) || (parts.length && parts[parts.length - 1] === '..')) parts.push(comp)
    else if (parts.length) parts.pop()
  }
  const out = '/'.repeat(initial) + parts.join('/')
  return out || '.'
}

function join(parts: readonly string[]): string {
  let out = parts[0] ?? ''
  for (const b of parts.slice(1)) {
    if (b.startsWith('/')) out = b
    else if (out === '' || out.endsWith('/')) out += b
    else out += `/${b}`
  }
  return out
}

function expanduser(ctx: CallContext, path: string): string {
  if (!path.startsWith('~')) return path
  let i = path.indexOf('/', 1)
  if (i < 0) i = path.length
  if (i !== 1) return path
  const home = ctx.services.env?.HOME
  if (home === undefined) return path
  return home.replace(/\/+$/, '') + path.slice(i) || '/'
}

function expandvars(ctx: CallContext, path: string): string {
  if (!path.includes('$')) return path
  const env = ctx.services.env ?? {}
  return path.replace(/\$([A-Za-z0-9_]+|\{[^}]*\})/g, (whole, name: string) => {
    const key = name.startsWith('{') ? name.slice(1, -1) : name
    const value = Object.hasOwn(env, key) ? env[key] : undefined
    return value === undefined ? whole : value
  })
}

function abspath(p: string): string {
  return normpath(p.startsWith('/') ? p : join([process.cwd(), p]))
}

function relpath(path: string, start: string): string {
  if (path === '') throw new TemplateError('no path specified')
  const a = abspath(start).split('/').filter(Boolean)
  const b = abspath(path).split('/').filter(Boolean)
  let common = 0
  while (common < a.length && common < b.length && a[common] === b[common]) common++
  const rel = [...Array<string>(a.length - common).fill('..'), ...b.slice(common)]
  return rel.length ? rel.join('/') : '.'
}

// ntpath, for the win_* filters.
function ntSplitdrive(p: string): [string, string] {
  if (p.length >= 2) {
    const normp = p.replaceAll('/', '\\')
    if (normp.startsWith('\\\\')) {
      const start = normp.slice(0, 8).toUpperCase() === '\\\\?\\UNC\\' ? 8 : 2
      const index = normp.indexOf('\\', start)
      if (index === -1) return [p, '']
      const index2 = normp.indexOf('\\', index + 1)
      if (index2 === -1) return [p, '']
      return [p.slice(0, index2), p.slice(index2)]
    }
    if (normp[1] === ':') return [p.slice(0, 2), p.slice(2)]
  }
  return ['', p]
}

function ntSplit(path: string): [string, string] {
  const [d, p] = ntSplitdrive(path)
  let i = p.length
  while (i && !'\\/'.includes(p[i - 1]!)) i--
  const head = p.slice(0, i)
  const tail = p.slice(i)
  return [d + (strip(head, '\\/', 'right') || head), tail]
}

const pathFilter = (fn: (ctx: CallContext, p: string) => unknown) => define(['path'], (ctx, p) => fn(ctx, pathText(p)))

export const pathFilters: CallableTable = {
  basename: pathFilter((_c, p) => basename(p)),
  dirname: pathFilter((_c, p) => dirname(p)),
  splitext: pathFilter((_c, p) => tuple(splitext(p))),
  expanduser: pathFilter((ctx, p) => expanduser(ctx, p)),
  expandvars: pathFilter((ctx, p) => expandvars(ctx, p)),
  // Lexical: the controller's symlinks are not read.
  realpath: pathFilter((_c, p) => abspath(p).replace(/^\/\/(?!\/)/, '/')),
  relpath: define(['path', 'start'], (_c, p, start = '.') => relpath(pathText(p), pathText(start))),
  path_join: define(['paths'], (_c, paths) => {
    if (typeof paths === 'string') return paths
    if (!Array.isArray(paths)) throw new TemplateError(`|path_join expects string or sequence, got ${typeName(paths)} instead.`)
    return join(listOf(paths).map(pathText))
  }),
  win_basename: pathFilter((_c, p) => ntSplit(p)[1]),
  win_dirname: pathFilter((_c, p) => ntSplit(p)[0]),
  win_splitdrive: pathFilter((_c, p) => tuple(ntSplitdrive(p))),
  fileglob: define(['pathname'], () => {
    throw new TemplateError("fileglob reads the controller's filesystem, which tend's templates never do; list the files in a variable instead")
  }),
}

