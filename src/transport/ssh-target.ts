import { userInfo } from 'node:os'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { expandPath, resolveSshConfig, type SshConfigBlock } from './ssh-config.js'
import type { HostKeyPolicy } from './ssh-hostkey.js'

/** How the inventory describes one SSH host (ansible_host, ansible_port, ansible_user, …). */
export interface SshTarget {
  /** Inventory name, used in messages and results. */
  readonly host: string
  /** ansible_host; also the name `Host` patterns in ~/.ssh/config are matched against. */
  readonly address: string
  /** Leave undefined to let ~/.ssh/config's Port (or 22) decide. */
  readonly port?: number
  readonly user?: string
  readonly keyFile?: string
  /** Replaces UserKnownHostsFile when set (tend_known_hosts_file). */
  readonly knownHostsFile?: string
  /**
   * The inventory's policy (strict by default). Unless `hostKeyPolicyDeclared`, a
   * StrictHostKeyChecking line for the host in ~/.ssh/config overrides it; a declared one is never
   * weakened by ssh_config (the stricter of the two wins).
   */
  readonly hostKeyPolicy: HostKeyPolicy
  /** tend_host_key_policy was written in the inventory. */
  readonly hostKeyPolicyDeclared?: boolean
  /** `[user@]host[:port]`, comma-separated hops; overrides ProxyJump from ~/.ssh/config. */
  readonly proxyJump?: string
  readonly connectTimeoutMs?: number
}

/** A target with ~/.ssh/config applied: everything needed to open one connection. */
export interface Endpoint {
  readonly host: string
  readonly address: string
  readonly port: number
  readonly user: string
  readonly keyFiles: readonly string[]
  readonly knownHostsFiles: readonly string[]
  readonly hostKeyPolicy: HostKeyPolicy
  readonly connectTimeoutMs: number
  /** A bastion's errors still belong to the inventory host; messages say which hop failed. */
  readonly role: 'target' | 'bastion'
  /** The last bastion before this host; it has its own `jump` for longer chains. */
  readonly jump?: Endpoint
}

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000
const MAX_JUMPS = 8

/** Explicit target fields win over ~/.ssh/config, as Ansible's ssh options win over the user's config. */
export function resolveEndpoint(target: SshTarget, config: readonly SshConfigBlock[], depth = 0): Endpoint {
  return { ...endpointFor(target, config, depth), role: depth === 0 ? 'target' : 'bastion' }
}

function endpointFor(target: SshTarget, config: readonly SshConfigBlock[], depth: number): Omit<Endpoint, 'role'> {
  const options = resolveSshConfig(config, target.address, target.user)
  const address = options.hostName ?? target.address
  const port = target.port ?? options.port ?? 22
  const user = target.user ?? options.user ?? userInfo().username
  const tokens = { host: address, user, port }
  const keyFiles = [target.keyFile, ...options.identityFiles]
    .filter((file): file is string => file !== undefined && file.toLowerCase() !== 'none')
    .map((file) => expandPath(file, tokens))
  const proxyJump = target.proxyJump ?? options.proxyJump
  return {
    host: target.host,
    address,
    port,
    user,
    keyFiles,
    knownHostsFiles: target.knownHostsFile !== undefined ? [target.knownHostsFile]
      : options.userKnownHostsFiles ?? defaultKnownHostsFiles(),
    hostKeyPolicy: hostKeyPolicyOf(target, policyFrom(options.strictHostKeyChecking)),
    connectTimeoutMs: target.connectTimeoutMs
      ?? (options.connectTimeoutSeconds !== undefined ? options.connectTimeoutSeconds * 1000 : DEFAULT_CONNECT_TIMEOUT_MS),
    jump: proxyJump !== undefined && depth < MAX_JUMPS ? lastHop(proxyJump, target, config, depth) : undefined,
  }
}

function defaultKnownHostsFiles(): string[] {
  const ssh = join(homedir(), '.ssh')
  return [join(ssh, 'known_hosts'), join(ssh, 'known_hosts2'), '/etc/ssh/ssh_known_hosts']
}

/** A declared inventory policy is never weakened by ssh_config; an undeclared default yields to it. */
function hostKeyPolicyOf(target: SshTarget, fromConfig: HostKeyPolicy | undefined): HostKeyPolicy {
  if (fromConfig === undefined) return target.hostKeyPolicy
  if (!target.hostKeyPolicyDeclared) return fromConfig
  return target.hostKeyPolicy === 'strict' || fromConfig === 'strict' ? 'strict' : 'accept-new'
}

/** ssh has no prompt here: `ask` is strict; `no` still refuses a changed key (accept-new). */
function policyFrom(value: string | undefined): HostKeyPolicy | undefined {
  if (value === undefined) return undefined
  return value === 'accept-new' || value === 'no' || value === 'off' ? 'accept-new' : 'strict'
}

/**
 * `a,b,c`: the target is reached through c, c through b, b through a. Each hop is resolved through
 * ~/.ssh/config like a host of its own; it uses the target's key file and known_hosts file.
 */
function lastHop(spec: string, target: SshTarget, config: readonly SshConfigBlock[], depth: number): Endpoint {
  const hops = spec.split(',').map((hop) => hop.trim()).filter((hop) => hop !== '')
  const last = parseHop(hops.at(-1) ?? '')
  const earlier = hops.slice(0, -1).join(',')
  return resolveEndpoint({
    host: target.host,
    address: last.address,
    port: last.port,
    user: last.user,
    keyFile: target.keyFile,
    knownHostsFile: target.knownHostsFile,
    hostKeyPolicy: target.hostKeyPolicy,
    hostKeyPolicyDeclared: target.hostKeyPolicyDeclared,
    proxyJump: earlier === '' ? undefined : earlier,
    connectTimeoutMs: target.connectTimeoutMs,
  }, config, depth + 1)
}

/** `[ssh://][user@]host[:port]`, `[v6addr]:port`. */
export function parseHop(hop: string): { address: string; port?: number; user?: string } {
  const bare = hop.replace(/^ssh:\/\//, '')
  const at = bare.lastIndexOf('@')
  const user = at >= 0 ? bare.slice(0, at) : undefined
  const rest = at >= 0 ? bare.slice(at + 1) : bare
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest) ?? /^([^:]+)(?::(\d+))?$/.exec(rest)
  const address = match?.[1] ?? rest
  const port = match?.[2] !== undefined ? Number(match[2]) : undefined
  return { address, port, user }
}
