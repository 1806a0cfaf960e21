import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { openSsh } from '../../src/transport/ssh.js'
import { startSshd, type Sshd } from './support/sshd.js'
import { isolateFromUserSsh, trustingTarget } from './support/target.js'

/** What sshd itself logged it agreed on (LogLevel DEBUG1: `kex: algorithm: …`, `kex: client->server cipher: …`). */
function negotiated(sshd: Sshd): { kex?: string; hostKey?: string; cipher?: string } {
  const log = sshd.log()
  return {
    kex: /kex: algorithm: (\S+)/.exec(log)?.[1],
    hostKey: /kex: host key algorithm: (\S+)/.exec(log)?.[1],
    cipher: /kex: client->server cipher: (\S+)/.exec(log)?.[1],
  }
}

describe('ssh transport: the algorithms tend proposes', () => {
  const servers: Sshd[] = []
  after(() => Promise.all(servers.map((s) => s.stop())))

  const ranOn = async (sshd: Sshd, knownHostsLine?: string) => {
    servers.push(sshd)
    isolateFromUserSsh(sshd.dir)
    const target = await trustingTarget(sshd)
    if (knownHostsLine !== undefined) await writeFile(join(sshd.dir, 'known_hosts'), `${knownHostsLine}\n`)
    const ssh = await openSsh(target)
    try {
      // (sshd at DEBUG1 also writes debug lines to the session's stderr)
      const result = await ssh.exec(['echo', 'ok'])
      assert.deepEqual([result.exitCode, result.stdout], [0, 'ok\n'])
    } finally {
      await ssh.close()
    }
  }

  it('agrees on ECDH P-256, the ed25519 host key known_hosts records and aes128-gcm with a stock OpenSSH server', async () => {
    const sshd = await startSshd({ logLevel: 'DEBUG1' })
    await ranOn(sshd)
    assert.deepEqual(negotiated(sshd), { kex: 'ecdh-sha2-nistp256', hostKey: 'ssh-ed25519', cipher: 'aes128-gcm@openssh.com' })
  })

  it('still reaches a server that allows only algorithms further down the list', async () => {
    const sshd = await startSshd({
      logLevel: 'DEBUG1',
      extraConfig: 'KexAlgorithms diffie-hellman-group16-sha512\nCiphers aes256-ctr\nMACs hmac-sha2-512\nHostKeyAlgorithms rsa-sha2-512',
    })
    await ranOn(sshd, await sshd.knownHostsLine('rsa'))
    assert.deepEqual(negotiated(sshd), { kex: 'diffie-hellman-group16-sha512', hostKey: 'rsa-sha2-512', cipher: 'aes256-ctr' })
  })
})
