import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** One usable line of an OpenSSH known_hosts file (@cert-authority lines are skipped: no certificate support). */
export interface KnownHostEntry {
  readonly file: string
  readonly line: number
  readonly revoked: boolean
  /** The host field as written: a comma list of patterns, or one `|1|salt|hash`. */
  readonly hosts: string
  readonly keyType: string
  readonly keyBase64: string
}

export type HostKeyVerdict =
  | { readonly kind: 'known'; readonly entry: KnownHostEntry }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'changed'; readonly entry: KnownHostEntry }
  | { readonly kind: 'revoked'; readonly entry: KnownHostEntry }

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = []
  text.split('\n').forEach((raw, index) => {
    const fields = raw.trim().split(/\s+/)
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return
    const marker = fields[0].startsWith('@') ? fields.shift() : undefined
    if (marker !== undefined && marker !== '@revoked') return
    const [hosts, keyType, keyBase64] = fields
    if (hosts === undefined || keyType === undefined || keyBase64 === undefined) return
    entries.push({ file, line: index + 1, revoked: marker === '@revoked', hosts, keyType, keyBase64 })
  })
  return entries
}

/** Reads every file that exists; a missing known_hosts file simply knows no hosts. */
export async function loadKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = []
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return ''
      throw error
    })
    all.push(...parseKnownHosts(text, file))
  }
  return all
}

/** The name OpenSSH looks up: `addr` on port 22, `[addr]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`
}

export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.startsWith('|1|')) return hashedNameMatches(entry.hosts, name)
  let matched = false
  for (const pattern of entry.hosts.split(',')) {
    const negated = pattern.startsWith('!')
    if (!wildcardMatch(negated ? pattern.slice(1) : pattern, name)) continue
    if (negated) return false
    matched = true
  }
  return matched
}

/** `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as written by `ssh-keygen -H` and HashKnownHosts. */
function hashedNameMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|')
  if (salt === undefined || hash === undefined) return false
  const expected = Buffer.from(hash, 'base64')
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest()
  return expected.length === actual.length && timingSafeEqual(expected, actual)
}

/** OpenSSH pattern: `*` any run, `?` one character, case-insensitive. */
export function wildcardMatch(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*').replaceAll('?', '.')
  return new RegExp(`^${source}$`, 'is').test(text)
}

export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const presented = key.toString('base64')
  const type = keyTypeOf(key)
  const forHost = entries.filter((entry) => entryMatchesHost(entry, name))
  const revoked = forHost.find((entry) => entry.revoked && entry.keyBase64 === presented)
  if (revoked) return { kind: 'revoked', entry: revoked }
  const same = forHost.find((entry) => !entry.revoked && entry.keyBase64 === presented)
  if (same) return { kind: 'known', entry: same }
  const changed = forHost.find((entry) => !entry.revoked && entry.keyType === type)
  return changed ? { kind: 'changed', entry: changed } : { kind: 'unknown' }
}

/** Key types recorded for a host, so the handshake asks for a key we can check (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries.filter((entry) => !entry.revoked && entryMatchesHost(entry, name)).map((entry) => entry.keyType)
  return [...new Set(types)]
}

/** The first string of the SSH wire-format key blob is its type, e.g. `ssh-ed25519`. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown'
  const length = key.readUInt32BE(0)
  return key.subarray(4, 4 + length).toString('latin1')
}

/** `SHA256:…` exactly as `ssh-keygen -lf` and OpenSSH's prompts print it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

/** `ED25519`, `ECDSA`, `RSA`: the label OpenSSH prints next to a fingerprint. */
export function keyLabel(keyType: string): string {
  if (keyType === 'ssh-ed25519') return 'ED25519'
  if (keyType.startsWith('ecdsa-')) return 'ECDSA'
  if (keyType === 'ssh-rsa') return 'RSA'
  return keyType
}

/** accept-new: record a first-seen key the way `ssh` would (plain name, one line). */
export async function appendKnownHost(file: string, name: string, key: Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 })
  const existing = await readFile(file, 'utf8').catch(() => '')
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n'
  await appendFile(file, `${separator}${name} ${keyTypeOf(key)} ${key.toString('base64')}\n`, { mode: 0o600 })
}
