import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { homedir, tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import { loadSshConfig, resolveSshConfig } from '../../src/transport/ssh-config.js'
import { parseHop, resolveEndpoint } from '../../src/transport/ssh-target.js'

const run = promisify(execFile)

/** What OpenSSH itself resolves for `host` (`ssh -G` prints the effective options; it connects nowhere). */
async function sshG(config: string, host: string): Promise<Map<string, string[]>> {
  const { stdout } = await run('ssh', ['-G', '-F', config, host])
  const options = new Map<string, string[]>()
  for (const line of stdout.split('\n')) {
    const [key = '', ...rest] = line.split(' ')
    options.set(key, [...(options.get(key) ?? []), rest.join(' ')])
  }
  return options
}

describe('ssh_config resolution, checked against ssh -G', () => {
  let dir: string
  let config: string
  const hosts = ['web1', 'web2', 'db.internal', 'bastion', 'alias', 'other', 'webnot']

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tend-sshcfg-'))
    await mkdir(join(dir, 'conf.d'))
    await writeFile(join(dir, 'conf.d', '10-db.conf'), 'Host db.*\n  User dbadmin\n  Port 2201\n')
    config = join(dir, 'config')
    await writeFile(config, [
      'ConnectTimeout 7',
      `Include ${join(dir, 'conf.d', '*.conf')}`,
      'Host web* !webnot',
      '  HostName %h.example.net',
      '  User deploy',
      '  IdentityFile ~/.ssh/web_key',
      '  ProxyJump jump@bastion:2222',
      'Host alias',
      '  HostName=10.1.2.3',
      '  Port 2222',
      '  IdentityFile "/keys/with space"',
      '  StrictHostKeyChecking accept-new',
      '  UserKnownHostsFile /tmp/kh1 /tmp/kh2',
      'Host bastion',
      '  ProxyJump none',
      'Host *',
      '  User fallback',
      '  Port 2999',
      '  IdentityFile ~/.ssh/common',
      '',
    ].join('\n'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('resolves HostName, User, Port, IdentityFile, ProxyJump like OpenSSH (first match wins)', async () => {
    const blocks = loadSshConfig(config)
    for (const host of hosts) {
      const ours = resolveSshConfig(blocks, host)
      const theirs = await sshG(config, host)
      assert.equal(ours.hostName ?? host, theirs.get('hostname')?.[0], `${host}: hostname`)
      assert.equal(ours.user ?? userInfo().username, theirs.get('user')?.[0], `${host}: user`)
      assert.equal(String(ours.port ?? 22), theirs.get('port')?.[0], `${host}: port`)
      assert.equal(ours.proxyJump, theirs.get('proxyjump')?.[0], `${host}: proxyjump`)
      assert.equal(String(ours.connectTimeoutSeconds), theirs.get('connecttimeout')?.[0], `${host}: connecttimeout`)
      const theirKeys = (theirs.get('identityfile') ?? []).map((file) => file.replace(/^~/, homedir()))
      const ourKeys = ours.identityFiles.map((file) => file.replace(/^~/, homedir()))
      assert.deepEqual(ourKeys, theirKeys, `${host}: identityfile`)
    }
  })

  it('reads StrictHostKeyChecking and UserKnownHostsFile for the host', () => {
    const alias = resolveSshConfig(loadSshConfig(config), 'alias')
    assert.equal(alias.strictHostKeyChecking, 'accept-new')
    assert.deepEqual(alias.userKnownHostsFiles, ['/tmp/kh1', '/tmp/kh2'])
  })

  it('lets explicit inventory values win over the config, and resolves ProxyJump hops through it', () => {
    const endpoint = resolveEndpoint({ host: 'w', address: 'web1', user: 'root', hostKeyPolicy: 'strict' }, loadSshConfig(config))
    assert.deepEqual([endpoint.address, endpoint.user, endpoint.port, endpoint.hostKeyPolicy], ['web1.example.net', 'root', 2999, 'strict'])
    assert.deepEqual(endpoint.keyFiles, [join(homedir(), '.ssh/web_key'), join(homedir(), '.ssh/common')])
    assert.deepEqual([endpoint.jump?.address, endpoint.jump?.user, endpoint.jump?.port, endpoint.jump?.jump], ['bastion', 'jump', 2222, undefined])
    const alias = resolveEndpoint({ host: 'a', address: 'alias', hostKeyPolicy: 'strict', port: 22 }, loadSshConfig(config))
    assert.deepEqual([alias.address, alias.port, alias.hostKeyPolicy, alias.connectTimeoutMs], ['10.1.2.3', 22, 'accept-new', 7000])
  })

  it('parses jump hops: user, port, bracketed IPv6, ssh:// URIs', () => {
    assert.deepEqual(parseHop('u@h:2022'), { address: 'h', port: 2022, user: 'u' })
    assert.deepEqual(parseHop('ssh://h'), { address: 'h', port: undefined, user: undefined })
    assert.deepEqual(parseHop('[::1]:2200'), { address: '::1', port: 2200, user: undefined })
  })
})
