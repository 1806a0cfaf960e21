import { existsSync, readFileSync, statSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import ssh2 from 'ssh2'
import type { AnyAuthMethod, ParsedKey } from 'ssh2'

/** What this connection will try, in order: the agent's keys, then each usable key file. */
export interface AuthPlan {
  readonly username: string
  readonly methods: readonly AnyAuthMethod[]
  /** Key files tried, and files passed over with why (encrypted, unreadable): for the auth hint. */
  readonly tried: readonly string[]
  readonly skipped: readonly string[]
  /** Key files readable by group or others, with their mode: refused, as OpenSSH refuses them. */
  readonly tooOpen: readonly { readonly file: string; readonly mode: string }[]
}

const DEFAULT_KEY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa']

/**
 * Explicit files (ansible_ssh_private_key_file, IdentityFile) replace OpenSSH's defaults; the
 * defaults are only tried when none is configured, and only if they exist.
 */
export function planAuth(username: string, keyFiles: readonly string[], agentSocket = process.env['SSH_AUTH_SOCK']): AuthPlan {
  const files = keyFiles.length > 0 ? [...new Set(keyFiles)]
    : DEFAULT_KEY_FILES.map((name) => join(homedir(), '.ssh', name)).filter((file) => existsSync(file))
  const methods: AnyAuthMethod[] = []
  if (agentSocket !== undefined && agentSocket !== '' && existsSync(agentSocket)) {
    methods.push({ type: 'agent', username, agent: agentSocket })
  }
  const tried: string[] = []
  const skipped: string[] = []
  const tooOpen: { file: string; mode: string }[] = []
  for (const file of files) {
    const mode = openMode(file)
    if (mode !== undefined) {
      tooOpen.push({ file, mode })
      continue
    }
    const key = readKey(file)
    if (typeof key === 'string') skipped.push(`${file} (${key})`)
    else {
      tried.push(file)
      methods.push({ type: 'publickey', username, key })
    }
  }
  return { username, methods, tried, skipped, tooOpen }
}

/**
 * The file's mode when group or others may read or write it (OpenSSH: "UNPROTECTED PRIVATE KEY
 * FILE", the key is ignored); undefined when it is private or cannot be stat'ed.
 */
function openMode(file: string): string | undefined {
  try {
    const mode = statSync(file).mode & 0o777
    return (mode & 0o077) === 0 ? undefined : mode.toString(8).padStart(4, '0')
  } catch {
    return undefined
  }
}

/** A parsed private key, or why it cannot be used without a prompt. */
function readKey(file: string): ParsedKey | string {
  let data: Buffer
  try {
    data = readFileSync(file)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable'
  }
  const parsed = ssh2.utils.parseKey(data)
  if (parsed instanceof Error) {
    return /encrypted|passphrase/i.test(parsed.message) ? 'encrypted: load it into ssh-agent' : `not a private key: ${parsed.message}`
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed
  return key === undefined || !key.isPrivateKey() ? 'not a private key' : key
}

export function describeAuth(plan: AuthPlan): string {
  const parts = [
    plan.methods.some((method) => method.type === 'agent') ? 'ssh-agent' : undefined,
    ...plan.tried,
  ].filter((part) => part !== undefined)
  const skipped = plan.skipped.length > 0 ? `; skipped ${plan.skipped.join(', ')}` : ''
  return `${parts.length > 0 ? `tried ${parts.join(', ')}` : 'no key to try (no agent, no key file)'}${skipped}`
}
