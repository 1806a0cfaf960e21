import { ConfigError, type Diagnostic } from '../errors.js'
import type { HostConnection, SourceRef, Vars } from './model.js'
import { renderValue } from '../template/playbook.js'

const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1'])

function str(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value)
}

/**
 * How to reach a host, from its variables. Like Ansible's implicit localhost, a host named
 * localhost (or 127.0.0.1, ::1) without ansible_host or ansible_connection is local: an ssh
 * login to ourselves is never what was meant.
 */
export function connectionOf(name: string, rawVars: Vars, where: SourceRef): HostConnection | Diagnostic {
  let vars: Vars
  try {
    vars = renderConnectionVars(rawVars, where)
  } catch (error) {
    if (error instanceof ConfigError && error.diagnostics[0]) return error.diagnostics[0]
    throw error
  }
  const declared = str(vars.ansible_connection)
  const kind = declared ?? (LOCAL_NAMES.has(name) && vars.ansible_host === undefined ? 'local' : 'ssh')
  if (kind === 'local') return { kind: 'local' }
  if (kind !== 'ssh') {
    return { ...where, message: `host \`${name}\`: unknown ansible_connection \`${kind}\``, hint: 'tend connects with `ssh` (default) or `local`.' }
  }
  const port = vars.ansible_port === undefined ? undefined : Number(vars.ansible_port)
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    return { ...where, message: `host \`${name}\`: ansible_port must be a port number, not ${JSON.stringify(vars.ansible_port)}` }
  }
  const policy = str(vars.tend_host_key_policy) ?? 'strict'
  if (policy !== 'strict' && policy !== 'accept-new') {
    return { ...where, message: `host \`${name}\`: tend_host_key_policy must be strict or accept-new, not \`${policy}\`` }
  }
  const optional = {
    port,
    user: str(vars.ansible_user),
    keyFile: str(vars.ansible_ssh_private_key_file),
    knownHostsFile: str(vars.tend_known_hosts_file),
    proxyJump: str(vars.tend_proxy_jump),
  }
  const defined = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined))
  const pinned = vars.tend_host_key_policy !== undefined ? { hostKeyPolicyDeclared: true as const } : {}
  return { kind: 'ssh', address: str(vars.ansible_host) ?? name, hostKeyPolicy: policy, ...pinned, ...defined }
}

const CONNECTION_KEYS = [
  'ansible_connection', 'ansible_host', 'ansible_port', 'ansible_user', 'ansible_ssh_private_key_file',
  'tend_known_hosts_file', 'tend_host_key_policy', 'tend_proxy_jump',
]

/** Connection variables may be templates over the host's other variables (as in Ansible). */
function renderConnectionVars(vars: Vars, where: SourceRef): Vars {
  const out: Record<string, unknown> = { ...vars }
  for (const key of CONNECTION_KEYS) if (key in vars) out[key] = renderValue(vars[key], vars, where)
  return out
}
