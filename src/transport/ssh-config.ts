import { readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { wildcardMatch } from './known-hosts.js'

/** One `Keyword args…` line of an ssh_config file, Includes already inlined. */
interface ConfigLine {
  readonly keyword: string
  readonly args: readonly string[]
}

/** Lines under one `Host` (or `Match`) header; the lines before any header form a block matching every host. */
export interface SshConfigBlock {
  readonly patterns: readonly string[] | 'match'
  readonly lines: readonly ConfigLine[]
}

/** The options tend uses, as OpenSSH resolves them: first obtained value wins; IdentityFile accumulates. */
export interface ResolvedSshConfig {
  readonly hostName?: string
  readonly user?: string
  readonly port?: number
  readonly identityFiles: readonly string[]
  readonly proxyJump?: string
  readonly userKnownHostsFiles?: readonly string[]
  readonly strictHostKeyChecking?: string
  readonly connectTimeoutSeconds?: number
}

/** TEND_SSH_CONFIG (tests, CI) or the user's ~/.ssh/config. */
export function sshConfigPath(override?: string): string {
  return override ?? process.env['TEND_SSH_CONFIG'] ?? join(homedir(), '.ssh', 'config')
}

/** A missing config file is an empty config, as for ssh. */
export function loadSshConfig(file: string): SshConfigBlock[] {
  return blocksOf(readLines(file, 0))
}

export function parseSshConfig(text: string, file: string): SshConfigBlock[] {
  return blocksOf(linesOf(text, file, 0))
}

function readLines(file: string, depth: number): ConfigLine[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  return linesOf(text, file, depth)
}

function linesOf(text: string, file: string, depth: number): ConfigLine[] {
  const lines: ConfigLine[] = []
  for (const raw of text.split('\n')) {
    const words = splitWords(raw.trim())
    const [first, ...args] = words
    if (first === undefined || first.startsWith('#')) continue
    const keyword = first.toLowerCase()
    if (keyword === 'include' && depth < 8) lines.push(...args.flatMap((arg) => included(arg, file, depth)))
    else lines.push({ keyword, args })
  }
  return lines
}

/** `Include` paths are relative to ~/.ssh; a `*` or `?` in the file name globs that directory. */
function included(arg: string, from: string, depth: number): ConfigLine[] {
  const path = expandTilde(arg)
  const full = isAbsolute(path) ? path : join(dirname(from), path)
  if (!/[*?]/.test(basename(full))) return readLines(full, depth + 1)
  let names: string[]
  try {
    names = readdirSync(dirname(full)).sort()
  } catch {
    return []
  }
  return names.filter((name) => wildcardMatch(basename(full), name))
    .flatMap((name) => readLines(join(dirname(full), name), depth + 1))
}

/** `Keyword value`, `Keyword=value`, double-quoted values with spaces. */
function splitWords(line: string): string[] {
  const words: string[] = []
  const pattern = /"([^"]*)"|([^\s"=]+)|=/g
  for (const match of line.matchAll(pattern)) {
    if (match[0] === '=') continue
    words.push(match[1] ?? match[2] ?? '')
  }
  return words
}

function blocksOf(lines: readonly ConfigLine[]): SshConfigBlock[] {
  const blocks: { patterns: readonly string[] | 'match'; lines: ConfigLine[] }[] = [{ patterns: ['*'], lines: [] }]
  for (const line of lines) {
    if (line.keyword === 'host') blocks.push({ patterns: line.args, lines: [] })
    else if (line.keyword === 'match') blocks.push({ patterns: line.args.join(' ').toLowerCase() === 'all' ? ['*'] : 'match', lines: [] })
    else blocks.at(-1)?.lines.push(line)
  }
  return blocks
}

/** OpenSSH Host semantics: any pattern matches and no negated (`!`) pattern matches. */
export function hostMatches(patterns: readonly string[], host: string): boolean {
  let matched = false
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!')
    if (!wildcardMatch(negated ? pattern.slice(1) : pattern, host)) continue
    if (negated) return false
    matched = true
  }
  return matched
}

/** Options for `host` (the name given, e.g. ansible_host). `Match` blocks other than `Match all` are not evaluated. */
export function resolveSshConfig(blocks: readonly SshConfigBlock[], host: string): ResolvedSshConfig {
  const first = new Map<string, readonly string[]>()
  const identityFiles: string[] = []
  for (const block of blocks) {
    if (block.patterns === 'match' || !hostMatches(block.patterns, host)) continue
    for (const line of block.lines) {
      if (line.keyword === 'identityfile') identityFiles.push(...line.args.slice(0, 1))
      else if (!first.has(line.keyword)) first.set(line.keyword, line.args)
    }
  }
  const one = (keyword: string): string | undefined => first.get(keyword)?.[0]
  const hostName = one('hostname')?.replaceAll('%h', host)
  const port = one('port')
  const timeout = one('connecttimeout')
  const proxyJump = one('proxyjump')
  const knownHosts = first.get('userknownhostsfile')
  return {
    hostName,
    user: one('user'),
    port: port === undefined ? undefined : Number(port),
    identityFiles,
    proxyJump: proxyJump === undefined || proxyJump.toLowerCase() === 'none' ? undefined : proxyJump,
    userKnownHostsFiles: knownHosts?.map(expandTilde),
    strictHostKeyChecking: one('stricthostkeychecking')?.toLowerCase(),
    connectTimeoutSeconds: timeout === undefined ? undefined : Number(timeout),
  }
}

/** `~`, `%d` (home), `%u` (local user), `%h` (host name), `%r` (remote user), `%p` (port), `%%`. */
export function expandPath(path: string, tokens: { host: string; user: string; port: number }): string {
  const values: Record<string, string> = {
    d: homedir(), u: process.env['USER'] ?? '', h: tokens.host, r: tokens.user, p: String(tokens.port), '%': '%',
  }
  return expandTilde(path).replace(/%([duhrp%])/g, (whole, token: string) => values[token] ?? whole)
}

function expandTilde(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path
}
