import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { SshTarget } from '../../../src/transport/ssh.js'
import type { Sshd } from './sshd.js'

/** Tests see only the keys, known_hosts and ssh_config they create: no agent, no ~/.ssh/config. */
export function isolateFromUserSsh(dir: string): void {
  delete process.env['SSH_AUTH_SOCK']
  process.env['TEND_SSH_CONFIG'] = join(dir, 'no-ssh-config')
}

/** A known_hosts file with the server's ed25519 key and a target that trusts it. */
export async function trustingTarget(sshd: Sshd, name = 'test-host'): Promise<SshTarget> {
  const knownHostsFile = join(sshd.dir, 'known_hosts')
  await writeFile(knownHostsFile, `${await sshd.knownHostsLine('ed25519')}\n`)
  return {
    host: name, address: '127.0.0.1', port: sshd.port, user: 'root',
    keyFile: sshd.clientKey, knownHostsFile, hostKeyPolicy: 'strict',
  }
}
