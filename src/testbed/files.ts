import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'
import type { HostRecord, TestbedState } from './state.js'

/** known_hosts lines for one host's own keys; `[addr]:port` only when the port is not 22. */
export function knownHostsLines(host: HostRecord, upper: string): string {
  const target = host.port === 22 ? host.address : `[${host.address}]:${host.port}`
  return ['ed25519', 'ecdsa'].map((type) => {
    const [algorithm, key] = readFileSync(join(upper, `etc/ssh/ssh_host_${type}_key.pub`), 'utf8').trim().split(/\s+/)
    return `${target} ${algorithm} ${key}\n`
  }).join('')
}

/** Ansible's YAML inventory format: group `testhosts`. */
export function inventoryYaml(state: TestbedState): string {
  const hosts = Object.fromEntries(state.hosts.map((h) => [h.name, {
    ansible_host: h.address, ansible_port: h.port, ansible_user: 'root',
    ansible_ssh_private_key_file: state.keyFile, tend_known_hosts_file: state.knownHostsFile,
  }]))
  return `# tend testbed ${state.stateDir}; written by src/testbed\n${stringify({ all: { children: { testhosts: { hosts } } } })}`
}
