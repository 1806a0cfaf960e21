import type { Inventory } from './model.js'
import { compileLinear } from '../template/linear-regex.js'
import { readInput } from './input-file.js'

/**
 * Ansible host patterns. Terms are separated by `,` (or `:` when there is no comma); a term is
 * a host or group name, `all`/`*`, a wildcard (`web*`), or a regex (`~web\d+`); `&term`
 * intersects, `!term` excludes. Like Ansible, all unions are evaluated first, then the
 * intersections, then the exclusions, whatever order they are written in. The result is in
 * inventory definition order.
 */
export function selectHosts(inventory: Inventory, pattern: string): string[] {
  const terms = splitPattern(pattern)
  const unions = terms.filter((t) => !t.startsWith('&') && !t.startsWith('!'))
  const intersections = terms.filter((t) => t.startsWith('&')).map((t) => t.slice(1))
  const exclusions = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1))
  // Only exclusions (`!web`) means "all but": Ansible starts from `all` then.
  const selected = new Set((unions.length > 0 ? unions : ['all']).flatMap((t) => matchSubscripted(inventory, t)))
  for (const term of intersections) {
    const other = new Set(matchSubscripted(inventory, term))
    for (const host of [...selected]) if (!other.has(host)) selected.delete(host)
  }
  for (const term of exclusions) for (const host of matchSubscripted(inventory, term)) selected.delete(host)
  return [...inventory.hosts.keys()].filter((host) => selected.has(host))
}

/** Splits on `,`, else on `:` outside brackets (`web[1:3]:db` is two terms, as in Ansible). */
export function splitPattern(pattern: string): string[] {
  if (pattern.includes(',')) return pattern.split(',').map((t) => t.trim()).filter((t) => t !== '')
  const terms: string[] = []
  let depth = 0
  let current = ''
  for (const c of pattern) {
    if (c === '[') depth++
    if (c === ']') depth = Math.max(0, depth - 1)
    if (c === ':' && depth === 0) {
      terms.push(current)
      current = ''
    } else current += c
  }
  terms.push(current)
  return terms.map((t) => t.trim()).filter((t) => t !== '')
}

/** Ansible's subscripts on a term: `web[0]`, `web[-1]`, `web[1:3]` (0-based, end inclusive), `web[2:]`. */
const SUBSCRIPT = /^(.+)\[(?:(-?\d+)|(\d+)(?::|-)(\d+)?)\]$/

function matchSubscripted(inventory: Inventory, term: string): string[] {
  const m = term.startsWith('~') ? null : SUBSCRIPT.exec(term)
  if (!m) return matchTerm(inventory, term)
  const hosts = [...new Set(matchTerm(inventory, m[1]!))]
  if (m[2] !== undefined) {
    const i = Number(m[2])
    const host = hosts.at(i)
    return host === undefined ? [] : [host]
  }
  const start = Number(m[3])
  const end = m[4] === undefined ? hosts.length - 1 : Number(m[4])
  return hosts.slice(start, end + 1)
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')
  return new RegExp(`^${escaped}$`)
}

function termMatcher(term: string): ((name: string) => boolean) | undefined {
  // Ansible's ~regex is re.match: anchored at the start only.
  if (term.startsWith('~')) {
    const re = compileLinear(`^(?:${term.slice(1)})`)
    return (name) => re.test(name)
  }
  if (/[*?[]/.test(term)) {
    const re = globToRegExp(term)
    return (name) => re.test(name)
  }
  return undefined
}

/** Hosts of one term, as Ansible's _enumerate_matches: groups first, then host names. */
function matchTerm(inventory: Inventory, term: string): string[] {
  if (term === 'all' || term === '*') return [...inventory.hosts.keys()]
  const matcher = termMatcher(term)
  if (!matcher) {
    const group = inventory.groups.get(term)
    if (group) return hostsOfGroup(inventory, term)
    return inventory.hosts.has(term) ? [term] : []
  }
  const fromGroups = [...inventory.groups.keys()].filter(matcher).flatMap((g) => hostsOfGroup(inventory, g))
  const fromHosts = [...inventory.hosts.keys()].filter(matcher)
  return [...fromGroups, ...fromHosts]
}

/** A group's hosts, including those of its descendant groups. */
export function hostsOfGroup(inventory: Inventory, group: string): string[] {
  return [...inventory.hosts.values()].filter((h) => h.groups.includes(group)).map((h) => h.name)
}

/** Names listed in a file, one per line (`--limit @file`, like Ansible's retry files); # comments. */
export async function readHostList(file: string): Promise<string[]> {
  const text = await readInput(file)
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter((line) => line !== '')
}
