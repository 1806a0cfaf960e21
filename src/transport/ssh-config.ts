import { readdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, isAbsolute, join } from 'node:path'
import { userInfo } from 'node:os'
import { ConfigError } from '../errors.js'
import { wildcardMatch } from './known-hosts.js'

/** One `Keyword args…` line of an ssh_config file, Includes already inlined; where it was written. */
interface ConfigLine {
  readonly keyword: string
  readonly args: readonly string[]
  readonly file: string
  readonly line: number
  readonly text: string
}

/**
 * Lines under one `Host` or `Match` header; the lines before any header form a block matching
 * every host. A Match block keeps its criteria and header line: they are evaluated per host, and
 * one tend cannot evaluate is reported with its file:line, never silently skipped.
 */
export interface SshConfigBlock {
  readonly patterns: readonly string[] | 'match'
  readonly lines: readonly ConfigLine[]
  readonly match?: ConfigLine
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
  for (const [index, raw] of text.split('\n').entries()) {
    const words = splitWords(raw.trim())
    const [first, ...args] = words
    if (first === undefined || first.startsWith('#')) continue
    const keyword = first.toLowerCase()
    if (keyword === 'include' && depth < 8) lines.push(...args.flatMap((arg) => included(arg, file, depth)))
    else lines.push({ keyword, args, file, line: index + 1, text: raw })
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
  const blocks: { patterns: readonly string[] | 'match'; lines: ConfigLine[]; match?: ConfigLine }[] = [{ patterns: ['*'], lines: [] }]
  for (const line of lines) {
    if (line.keyword === 'host') blocks.push({ patterns: line.args, lines: [] })
    else if (line.keyword === 'match') blocks.push({ patterns: 'match', lines: [], match: line })
    else blocks.at(-1)?.lines.push(line)
  }
  return blocks
}

/** What a Match block is evaluated against, as far as resolution has got when it is reached. */
interface MatchSubject {
  /** The name given (ansible_host). */
  readonly originalHost: string
  /** After HostName so far. */
  readonly host: string
  /** The remote user: the inventory's, else User so far, else the local user. */
  readonly user: string
}

/** Criteria tend evaluates as OpenSSH does; anything else (exec, canonical, final, localnetwork, tagged…) is reported. */
const MATCH_CRITERIA: Readonly<Record<string, (subject: MatchSubject) => string>> = {
  host: (s) => s.host,
  originalhost: (s) => s.originalHost,
  user: (s) => s.user,
  localuser: () => userInfo().username,
}

function unsupportedMatch(line: ConfigLine, message: string): ConfigError {
  const column = Math.max(1, line.text.search(/\S/) + 1)
  return new ConfigError([{
    file: line.file, line: line.line, column, sourceLine: line.text,
    message: `${message}: tend cannot tell whether this Match block applies, and will not guess`,
    hint: 'tend evaluates Match all, host, originalhost, user and localuser (with !); rewrite the block with those or as a Host block, or point TEND_SSH_CONFIG at a config without it',
  }])
}

/** `Match` criteria, each `[!]name patterns` (all: alone); every criterion must hold. */
function matchHolds(line: ConfigLine, subject: MatchSubject): boolean {
  const args = [...line.args]
  if (args.length === 1 && args[0]?.toLowerCase() === 'all') return true
  let holds = true
  while (args.length > 0) {
    const word = args.shift() ?? ''
    const negated = word.startsWith('!')
    const name = (negated ? word.slice(1) : word).toLowerCase()
    const value = MATCH_CRITERIA[name]
    if (value === undefined) throw unsupportedMatch(line, `\`Match ${line.args.join(' ')}\`: criterion \`${name}\` is not supported`)
    const patterns = args.shift()
    if (patterns === undefined) throw unsupportedMatch(line, `\`Match ${line.args.join(' ')}\`: \`${name}\` needs patterns`)
    const matched = hostMatches(patterns.split(','), value(subject))
    holds &&= negated ? !matched : matched
  }
  return holds
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

/**
 * Options for `host` (the name given, e.g. ansible_host; `user`: the inventory's remote user).
 * Match blocks are evaluated in order with what is resolved so far; one whose criteria tend cannot
 * evaluate throws a ConfigError naming its file:line.
 */
export function resolveSshConfig(blocks: readonly SshConfigBlock[], host: string, user?: string): ResolvedSshConfig {
  const first = new Map<string, readonly string[]>()
  const identityFiles: string[] = []
  const subject = (): MatchSubject => ({
    originalHost: host,
    host: first.get('hostname')?.[0]?.replaceAll('%h', host) ?? host,
    user: user ?? first.get('user')?.[0] ?? userInfo().username,
  })
  for (const block of blocks) {
    const applies = block.match !== undefined ? matchHolds(block.match, subject())
      : block.patterns !== 'match' && hostMatches(block.patterns, host)
    if (!applies) continue
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
