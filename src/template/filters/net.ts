/**
 * urlsplit (Python's urllib.parse.urlsplit, as Ansible's filter returns it) and "ipaddr-lite":
 * the validating forms of ansible.utils' ipaddr/ipv4/ipv6 filters and ip tests, without netaddr.
 * A valid address or network is returned (IPv6 in compressed form), anything else is False.
 */
import { define, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { isMapping, typeName } from '../values.js'
import { dictOf, toText } from './util.js'

// ---- urlsplit ----

const SCHEME_CHARS = /^[A-Za-z0-9+\-.]+$/

export function urlsplit(input: string): Record<string, unknown> {
  let url = input.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '')
  let scheme = ''
  let netloc = ''
  let query = ''
  let fragment = ''
  const i = url.indexOf(':')
  if (i > 0 && /^[A-Za-z]/.test(url) && SCHEME_CHARS.test(url.slice(0, i))) {
    scheme = url.slice(0, i).toLowerCase()
    url = url.slice(i + 1)
  }
  if (url.startsWith('//')) {
    let delim = url.length
    for (const c of '/?#') {
      const w = url.indexOf(c, 2)
      if (w >= 0) delim = Math.min(delim, w)
    }
    netloc = url.slice(2, delim)
    url = url.slice(delim)
    if (netloc.includes('[') !== netloc.includes(']')) throw new TemplateError('Invalid IPv6 URL')
  }
  const hash = url.indexOf('#')
  if (hash !== -1) {
    fragment = url.slice(hash + 1)
    url = url.slice(0, hash)
  }
  const q = url.indexOf('?')
  if (q !== -1) {
    query = url.slice(q + 1)
    url = url.slice(0, q)
  }
  const at = netloc.lastIndexOf('@')
  let username: string | null = null
  let password: string | null = null
  if (at !== -1) {
    const userinfo = netloc.slice(0, at)
    const colon = userinfo.indexOf(':')
    username = colon === -1 ? userinfo : userinfo.slice(0, colon)
    password = colon === -1 ? null : userinfo.slice(colon + 1)
  }
  const hostinfo = netloc.slice(at + 1)
  let hostname: string
  let port: string
  const open = hostinfo.indexOf('[')
  if (open !== -1) {
    const bracketed = hostinfo.slice(open + 1)
    const close = bracketed.indexOf(']')
    hostname = close === -1 ? bracketed : bracketed.slice(0, close)
    const after = close === -1 ? '' : bracketed.slice(close + 1)
    const c = after.indexOf(':')
    port = c === -1 ? '' : after.slice(c + 1)
  } else {
    const c = hostinfo.indexOf(':')
    hostname = c === -1 ? hostinfo : hostinfo.slice(0, c)
    port = c === -1 ? '' : hostinfo.slice(c + 1)
  }
  let portValue: number | null = null
  if (port !== '') {
    if (!/^[0-9]+$/.test(port)) throw new TemplateError(`Port could not be cast to integer value as '${port}'`)
    portValue = Number(port)
    if (portValue > 65535) throw new TemplateError('Port out of range 0-65535')
  }
  let host: string | null = null
  if (hostname) {
    const pct = hostname.indexOf('%')
    host = pct === -1 ? hostname.toLowerCase() : hostname.slice(0, pct).toLowerCase() + hostname.slice(pct)
  }
  return dictOf([
    ['fragment', fragment], ['hostname', host], ['netloc', netloc], ['password', password], ['path', url],
    ['port', portValue], ['query', query], ['scheme', scheme], ['username', username],
  ])
}

// ---- IP addresses ----

export interface Ip {
  readonly version: 4 | 6
  /** The address as a bigint (32 or 128 bits). */
  readonly value: bigint
  /** Prefix length; undefined when none was written. */
  readonly prefix: number | undefined
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  let n = 0n
  for (const p of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > 255) return undefined
    n = (n << 8n) | BigInt(p)
  }
  return n
}

function parseV6(s: string): bigint | undefined {
  let text = s
  const pct = text.indexOf('%')
  if (pct !== -1) text = text.slice(0, pct)
  let tail: bigint[] = []
  const lastColon = text.lastIndexOf(':')
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseV4(text.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    tail = [v4 >> 16n, v4 & 0xffffn]
    text = text.slice(0, lastColon + 1)
    if (!text.endsWith('::')) text = text.slice(0, -1)
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const group = (h: string): bigint[] | undefined => {
    if (h === '') return []
    const out: bigint[] = []
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      out.push(BigInt(`0x${g}`))
    }
    return out
  }
  const head = group(halves[0]!)
  const rest = halves.length === 2 ? group(halves[1]!) : []
  if (!head || !rest) return undefined
  const given = head.length + rest.length + tail.length
  let groups: bigint[]
  if (halves.length === 2) {
    if (given > 7) return undefined
    groups = [...head, ...Array<bigint>(8 - given).fill(0n), ...rest, ...tail]
  } else {
    if (given !== 8) return undefined
    groups = [...head, ...tail]
  }
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n)
}

function maskPrefix(mask: bigint, bits: number): number | undefined {
  const s = mask.toString(2).padStart(bits, '0')
  return /^1*0*$/.test(s) ? s.indexOf('0') === -1 ? bits : s.indexOf('0') : undefined
}

/** Parses `addr`, `addr/len` or (IPv4) `addr/netmask`; undefined when not an IP. */
export function parseIp(input: unknown): Ip | undefined {
  if (typeof input !== 'string') return undefined
  const [addr = '', prefixText, ...extra] = input.trim().split('/')
  if (extra.length) return undefined
  const v4 = parseV4(addr)
  const version = v4 !== undefined ? 4 : 6
  const value = v4 ?? parseV6(addr)
  if (value === undefined) return undefined
  const bits = version === 4 ? 32 : 128
  let prefix: number | undefined
  if (prefixText !== undefined) {
    if (/^\d{1,3}$/.test(prefixText) && Number(prefixText) <= bits) prefix = Number(prefixText)
    else if (version === 4 && parseV4(prefixText) !== undefined) prefix = maskPrefix(parseV4(prefixText)!, 32)
    if (prefix === undefined) return undefined
  }
  return { version, value, prefix }
}

export function formatIp(version: 4 | 6, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.')
  const groups = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => (value >> s) & 0xffffn)
  let bestStart = -1
  let bestLength = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0n) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0n) j++
    if (j - i > bestLength && j - i > 1) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart === -1) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

const bitsOf = (ip: Ip): number => (ip.version === 4 ? 32 : 128)

function netmaskOf(ip: Ip): bigint {
  const bits = bitsOf(ip)
  const prefix = ip.prefix ?? bits
  return ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n)
}

function isPrivate(ip: Ip): boolean {
  const v = ip.value
  const within = (base: string, len: number): boolean => {
    const b = parseIp(base)!
    const shift = BigInt(bitsOf(ip) - len)
    return b.version === ip.version && v >> shift === b.value >> shift
  }
  if (ip.version === 4) return within('10.0.0.0', 8) || within('172.16.0.0', 12) || within('192.168.0.0', 16) || within('169.254.0.0', 16) || within('100.64.0.0', 10) || within('192.0.0.0', 24) || within('198.18.0.0', 15) || within('239.0.0.0', 8)
  return within('fc00::', 7) || within('fe80::', 10)
}

/** ansible.utils' ipaddr(value, query) for the common queries; False when it does not apply. */
export function ipaddrQuery(value: unknown, query: string, version?: 4 | 6): unknown {
  if (Array.isArray(value)) return value.map((v) => ipaddrQuery(v, query, version)).filter((v) => v !== false && v !== null)
  const ip = parseIp(value)
  if (!ip || (version !== undefined && ip.version !== version)) return false
  const bits = bitsOf(ip)
  const mask = netmaskOf(ip)
  const network = ip.value & mask
  const size = 1n << BigInt(bits - (ip.prefix ?? bits))
  const text = formatIp(ip.version, ip.value) + (ip.prefix === undefined ? '' : `/${ip.prefix}`)
  switch (query) {
    case '':
      return text
    case 'address':
      return ip.prefix === undefined || ip.prefix === bits || ip.value !== network ? formatIp(ip.version, ip.value) : false
    case 'network':
      return formatIp(ip.version, network)
    case 'netmask':
      return formatIp(ip.version, mask)
    case 'prefix':
      return ip.prefix ?? bits
    case 'size':
      return Number(size)
    case 'broadcast':
      return ip.version === 4 && size > 1n ? formatIp(4, network | (size - 1n)) : false
    case 'net':
      return size > 1n && ip.value === network ? `${formatIp(ip.version, network)}/${ip.prefix}` : false
    case 'host':
      return size === 1n || ip.value !== network ? `${formatIp(ip.version, ip.value)}/${ip.prefix ?? bits}` : false
    case 'cidr':
      return `${formatIp(ip.version, network)}/${ip.prefix ?? bits}`
    case 'private':
      return isPrivate(ip) ? text : false
    case 'public':
      return !isPrivate(ip) && !isLoopback(ip) ? text : false
    case 'loopback':
      return isLoopback(ip) ? text : false
    case 'ipv4':
      return ip.version === 4 ? text : false
    case 'ipv6':
      return ip.version === 6 ? text : false
    default:
      throw new TemplateError(`ipaddr: unknown filter type: ${query} (tend implements the common ipaddr queries only)`)
  }
}

function isLoopback(ip: Ip): boolean {
  return ip.version === 4 ? ip.value >> 24n === 127n : ip.value === 1n
}

const ipFilter = (version?: 4 | 6) =>
  define(['value', 'query'], (_c, value, query = '') => {
    if (isMapping(value)) throw new TemplateError(`ipaddr: a dict is not an IP address (got ${typeName(value)})`)
    return ipaddrQuery(value, toText(query), version)
  })

export const netFilters: CallableTable = {
  urlsplit: define(['value', 'query'], (_c, value, query = '') => {
    const parts = urlsplit(toText(value))
    const q = toText(query)
    if (q === '') return parts
    if (!Object.hasOwn(parts, q)) throw new TemplateError(`urlsplit: unknown URL component: ${q}`)
    return parts[q]
  }),
  ipaddr: ipFilter(),
  ipv4: ipFilter(4),
  ipv6: ipFilter(6),
  'ansible.utils.ipaddr': ipFilter(),
  'ansible.utils.ipv4': ipFilter(4),
  'ansible.utils.ipv6': ipFilter(6),
  'ansible.netcommon.ipaddr': ipFilter(),
  'ansible.netcommon.ipv4': ipFilter(4),
  'ansible.netcommon.ipv6': ipFilter(6),
}
