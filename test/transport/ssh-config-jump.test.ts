import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openSsh } from '../../src/transport/ssh.js'
import { UnreachableError } from '../../src/transport/types.js'
import { startSshd, type Sshd } from './support/sshd.js'
import { isolateFromUserSsh } from './support/target.js'

describe('ssh transport: ~/.ssh/config and ProxyJump', () => {
  let bastion: Sshd
  let inner: Sshd
  let config: string
  let knownHosts: string

  before(async () => {
    bastion = await startSshd()
    inner = await startSshd({ clientKey: bastion.clientKey })
    isolateFromUserSsh(inner.dir)
    knownHosts = join(inner.dir, 'known_hosts')
    await writeFile(knownHosts, `${await bastion.knownHostsLine('ed25519')}\n${await inner.knownHostsLine('ecdsa')}\n`)
    config = join(inner.dir, 'ssh_config')
    await writeFile(config, [
      '# first obtained value wins, as in OpenSSH',
      'Host tend-alias tend-via-config',
      '  HostName 127.0.0.1',
      `  Port ${inner.port}`,
      '  User root',
      `  IdentityFile ${bastion.clientKey}`,
      `  UserKnownHostsFile ${knownHosts}`,
      'Host tend-via-config',
      '  ProxyJump tend-bastion',
      'Host tend-bastion',
      '  HostName 127.0.0.1',
      `  Port ${bastion.port}`,
      '  User root',
      `  IdentityFile ${bastion.clientKey}`,
      `  UserKnownHostsFile ${knownHosts}`,
      'Host tend-new',
      '  HostName 127.0.0.1',
      `  Port ${inner.port}`,
      `  IdentityFile ${bastion.clientKey}`,
      '  StrictHostKeyChecking accept-new',
      `  UserKnownHostsFile ${join(inner.dir, 'recorded')}`,
      'Host * !tend-never',
      '  Port 1',
      '  User nobody',
      '  ConnectTimeout 3',
      '',
    ].join('\n'))
  })
  after(async () => {
    await inner?.stop()
    await bastion?.stop()
  })

  it('resolves a Host alias to its HostName, Port, User, IdentityFile and UserKnownHostsFile', async () => {
    const ssh = await openSsh({ host: 'web', address: 'tend-alias', hostKeyPolicy: 'strict' }, { configFile: config })
    assert.equal((await ssh.exec(['sh', '-c', 'echo "$(id -un) $SSH_CONNECTION"'])).stdout.split(' ').at(-1), `${inner.port}\n`)
    await ssh.close()
  })

  it('reads the config named by TEND_SSH_CONFIG', async () => {
    process.env['TEND_SSH_CONFIG'] = config
    try {
      const ssh = await openSsh({ host: 'web', address: 'tend-alias', hostKeyPolicy: 'strict' })
      assert.equal((await ssh.exec(['id', '-un'])).stdout, 'root\n')
      await ssh.close()
    } finally {
      isolateFromUserSsh(inner.dir)
    }
  })

  it('honours StrictHostKeyChecking accept-new from the config', async () => {
    const ssh = await openSsh({ host: 'new', address: 'tend-new', user: 'root', hostKeyPolicy: 'strict' }, { configFile: config })
    await ssh.close()
    assert.match(await readFile(join(inner.dir, 'recorded'), 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${inner.port} ssh-ed25519 `))
  })

  it('reaches a host through a bastion given as proxyJump, verifying both host keys', async () => {
    const bastionLogins = bastion.acceptedLogins()
    const ssh = await openSsh({
      host: 'inner', address: '127.0.0.1', port: inner.port, user: 'root', keyFile: bastion.clientKey,
      knownHostsFile: knownHosts, hostKeyPolicy: 'strict', proxyJump: `root@127.0.0.1:${bastion.port}`,
    })
    const results = await Promise.all([1, 2, 3].map((n) => ssh.exec(['echo', String(n)])))
    assert.deepEqual(results.map((result) => result.stdout), ['1\n', '2\n', '3\n'])
    assert.equal(bastion.acceptedLogins(), bastionLogins + 1, 'one login on the bastion')
    await ssh.close()
  })

  it('takes ProxyJump from the config, the bastion itself resolved through the config', async () => {
    const bastionLogins = bastion.acceptedLogins()
    const ssh = await openSsh({ host: 'inner', address: 'tend-via-config', hostKeyPolicy: 'strict' }, { configFile: config })
    assert.equal((await ssh.exec(['echo', 'via'])).stdout, 'via\n')
    assert.equal(bastion.acceptedLogins(), bastionLogins + 1)
    await ssh.close()
  })

  it('refuses an unknown bastion key before reaching the target', async () => {
    const onlyInner = join(inner.dir, 'only_inner')
    await writeFile(onlyInner, `${await inner.knownHostsLine('ed25519')}\n`)
    const innerLogins = inner.acceptedLogins()
    const error = await openSsh({
      host: 'inner', address: '127.0.0.1', port: inner.port, user: 'root', keyFile: bastion.clientKey,
      knownHostsFile: onlyInner, hostKeyPolicy: 'strict', proxyJump: `root@127.0.0.1:${bastion.port}`,
    }).then(() => undefined, (caught: unknown) => caught)
    assert.ok(error instanceof UnreachableError && error.reason === 'host-key', String(error))
    assert.ok(error.message.startsWith(`bastion [127.0.0.1]:${bastion.port} presented`), error.message)
    assert.equal(error.host, 'inner')
    assert.equal(inner.acceptedLogins(), innerLogins)
  })
})
