import { writeFile } from 'node:fs/promises'
import { stringify } from 'yaml'

/** One inventory entry the peers converge: a real host's address, maybe one of many entries on it. */
export interface BenchTarget {
  readonly name: string
  readonly address: string
  readonly sshPort: number
  readonly user: string
  readonly keyFile: string
  readonly knownHostsFile: string
  /** The desired state's parameters; undefined = the playbook's own defaults (scidex-api on :8000). */
  readonly service?: { readonly unit: string; readonly port: number; readonly routes: readonly string[] }
}

export const DEFAULT_SERVICE = {
  unit: 'scidex-api.service',
  port: 8000,
  routes: ['/', '/exchange', '/gaps', '/graph', '/analyses', '/atlas', '/how.html', '/pitch.html',
    '/trem2-3d.html', '/atlas.html'],
} as const

/**
 * One inventory for tend and ansible alike (tend reads Ansible's YAML inventory format). Host keys
 * are verified by both: tend through tend_known_hosts_file, ansible through UserKnownHostsFile.
 */
export async function writeInventory(file: string, targets: readonly BenchTarget[]): Promise<void> {
  const hosts: Record<string, Record<string, unknown>> = {}
  for (const t of targets) {
    hosts[t.name] = {
      ansible_host: t.address,
      ansible_port: t.sshPort,
      ansible_user: t.user,
      ansible_ssh_private_key_file: t.keyFile,
      tend_known_hosts_file: t.knownHostsFile,
      ansible_ssh_common_args:
        `-F /dev/null -o StrictHostKeyChecking=yes -o UserKnownHostsFile=${t.knownHostsFile} ` +
        '-o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes',
      ...(t.service === undefined ? {} : { unit: t.service.unit, port: t.service.port, routes: [...t.service.routes] }),
    }
  }
  await writeFile(file, stringify({ all: { children: { benchhosts: { hosts } } } }))
}

/** The floor's target list: one tab-separated line per entry (see bench/floor/run.sh). */
export async function writeFloorTargets(file: string, targets: readonly BenchTarget[]): Promise<void> {
  const lines = targets.map((t) => {
    const s = t.service ?? DEFAULT_SERVICE
    return [t.name, t.address, t.sshPort, t.user, t.keyFile, t.knownHostsFile, s.unit, s.port, s.routes.join(' ')].join('\t')
  })
  await writeFile(file, lines.join('\n') + '\n')
}
