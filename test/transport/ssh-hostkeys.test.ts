import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { openSsh, type SshTarget } from '../../src/transport/ssh.js'
import { UnreachableError } from '../../src/transport/types.js'
import { keygen, startSshd, type Sshd } from './support/sshd.js'
import { isolateFromUserSsh } from './support/target.js'

const run = promisify(execFile)

/** OpenSSH's own fingerprint of a public key file, e.g. `SHA256:abc…`. */
async function sshKeygenFingerprint(pubFile: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-lf', pubFile])
  return stdout.split(' ')[1] ?? ''
}

describe('ssh transport: host keys against known_hosts', () => {
  let sshd: Sshd
  let base: Omit<SshTarget, 'knownHostsFile'>
  const knownHosts = (name: string): string => join(sshd.dir, name)
  const marker = (): string => join(sshd.dir, 'ran')

  before(async () => {
    sshd = await startSshd()
    isolateFromUserSsh(sshd.dir)
    base = { host: 'kh', address: '127.0.0.1', port: sshd.port, user: 'root', keyFile: sshd.clientKey, hostKeyPolicy: 'strict' }
  })
  after(() => sshd?.stop())

  async function refusal(target: SshTarget): Promise<UnreachableError> {
    try {
      const ssh = await openSsh(target)
      await ssh.exec(['touch', marker()])
      await ssh.close()
    } catch (error) {
      assert.ok(error instanceof UnreachableError, String(error))
      return error
    }
    assert.fail('the connection was not refused')
  }

  it('accepts a hashed entry written by ssh-keygen -H', async () => {
    const file = knownHosts('hashed')
    await writeFile(file, `${await sshd.knownHostsLine('ecdsa')}\n`)
    await run('ssh-keygen', ['-H', '-f', file])
    assert.match(await readFile(file, 'utf8'), /^\|1\|/)
    const ssh = await openSsh({ ...base, knownHostsFile: file })
    assert.equal((await ssh.exec(['echo', 'ok'])).stdout, 'ok\n')
    await ssh.close()
  })

  it('accepts an rsa entry in a comma list of names', async () => {
    const file = knownHosts('rsa')
    const [, type, key] = (await sshd.knownHostsLine('rsa')).split(' ')
    await writeFile(file, `# comment\nother.example,[127.0.0.1]:${sshd.port},10.0.0.1 ${type} ${key}\n`)
    const ssh = await openSsh({ ...base, knownHostsFile: file })
    assert.equal((await ssh.exec(['echo', 'ok'])).stdout, 'ok\n')
    await ssh.close()
  })

  it('refuses an unknown host with the fingerprint and the ssh-keyscan fix, running nothing', async () => {
    const file = knownHosts('empty')
    await writeFile(file, '')
    const loginsBefore = sshd.acceptedLogins()
    const error = await refusal({ ...base, knownHostsFile: file })
    assert.equal(error.reason, 'host-key')
    assert.ok(error.message.includes(await sshKeygenFingerprint(sshd.hostKeyPubs.ed25519)), error.message)
    assert.match(error.hint ?? '', new RegExp(`ssh-keyscan -p ${sshd.port} -t ed25519 127\\.0\\.0\\.1 >> ${file}`))
    await assert.rejects(readFile(marker()), { code: 'ENOENT' })
    assert.equal(sshd.acceptedLogins(), loginsBefore, 'no login happened for the refused connection')
  })

  it('accept-new records an unknown key, and the next strict connect trusts it', async () => {
    const file = knownHosts('accept-new')
    const first = await openSsh({ ...base, knownHostsFile: file, hostKeyPolicy: 'accept-new' })
    await first.close()
    const recorded = await readFile(file, 'utf8')
    assert.equal(recorded, `${await sshd.knownHostsLine('ed25519')}\n`)
    const second = await openSsh({ ...base, knownHostsFile: file })
    assert.equal((await second.exec(['echo', 'again'])).stdout, 'again\n')
    await second.close()
  })

  it('refuses a changed key even under accept-new, naming file:line and the ssh-keygen -R fix', async () => {
    const file = knownHosts('changed')
    const impostor = await keygen(join(sshd.dir, 'impostor'))
    const [type, key] = (await readFile(`${impostor}.pub`, 'utf8')).split(' ')
    await writeFile(file, `# line 1\n[127.0.0.1]:${sshd.port} ${type} ${key}\n`)
    const error = await refusal({ ...base, knownHostsFile: file, hostKeyPolicy: 'accept-new' })
    assert.equal(error.reason, 'host-key')
    assert.match(error.message, /HOST KEY CHANGED/)
    assert.ok(error.message.includes(`${file}:2`), error.message)
    assert.ok(error.hint?.includes(`ssh-keygen -R '[127.0.0.1]:${sshd.port}' -f ${file}`), error.hint)
    assert.equal(await readFile(file, 'utf8'), `# line 1\n[127.0.0.1]:${sshd.port} ${type} ${key}\n`, 'file untouched')
  })

  it('refuses a key marked @revoked', async () => {
    const file = knownHosts('revoked')
    await writeFile(file, `@revoked ${await sshd.knownHostsLine('ed25519')}\n`)
    const error = await refusal({ ...base, knownHostsFile: file })
    assert.equal(error.reason, 'host-key')
    assert.match(error.message, /@revoked/)
  })

  it('does not take a key recorded for port 22 as the key of another port', async () => {
    const file = knownHosts('port22')
    const [, type, key] = (await sshd.knownHostsLine('ed25519')).split(' ')
    await writeFile(file, `127.0.0.1 ${type} ${key}\n`)
    assert.equal((await refusal({ ...base, knownHostsFile: file })).reason, 'host-key')
  })
})
