import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { openSsh, type SshTarget } from '../../src/transport/ssh.js'
import { CommandTimeoutError, type Transport } from '../../src/transport/types.js'
import { leaseHost, type TestHost } from '../support/testbed.js'

/** On a real systemd test host (npm test boots them): users root, tend (sudo NOPASSWD), tendpw (sudo with password). */
describe('ssh transport on a test host', () => {
  let host: TestHost
  const open: Transport[] = []
  const connect = async (user: string): Promise<Transport> => {
    const target: SshTarget = {
      host: host.name, address: host.address, port: host.port, user,
      keyFile: host.keyFile, knownHostsFile: host.knownHostsFile, hostKeyPolicy: 'strict',
    }
    const ssh = await openSsh(target)
    open.push(ssh)
    return ssh
  }

  before(async () => {
    delete process.env['SSH_AUTH_SOCK']
    process.env['TEND_SSH_CONFIG'] = '/nonexistent/tend-ssh-config'
    host = await leaseHost()
  })
  after(() => Promise.all(open.map((ssh) => ssh.close())))

  it('becomes root through passwordless sudo as user tend', async () => {
    const ssh = await connect('tend')
    assert.deepEqual(await ssh.exec(['id', '-un'], { become: { user: 'root' } }), { exitCode: 0, stdout: 'root\n', stderr: '' })
  })

  it('fails at once, clearly, when sudo wants a password (user tendpw)', async () => {
    const ssh = await connect('tendpw')
    // A prompt waited for would end in CommandTimeoutError; sudo -n answers with an exit code.
    const result = await ssh.exec(['id', '-un'], { become: { user: 'root' }, timeoutMs: 10_000 })
    assert.notEqual(result.exitCode, 0)
    assert.match(result.stderr, /a password is required/)
  })

  it('kills a timed-out command of a non-root user (sshd signal request)', async () => {
    const ssh = await connect('tend')
    await assert.rejects(ssh.exec(['sleep', '41.337'], { timeoutMs: 300 }), CommandTimeoutError)
    await new Promise((resolve) => setTimeout(resolve, 500))
    const left = await host.sh('pgrep -f "sleep 41[.]337" || true')
    assert.equal(left.stdout, '')
  })

  it('opens TCP to the host\'s own 127.0.0.1:8000 and gets 200 from scidex-api', async () => {
    const ssh = await connect('root')
    const stream = await ssh.openTcp('127.0.0.1', 8000)
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    const closed = new Promise((resolve) => stream.once('close', resolve))
    stream.end('GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n')
    await closed
    assert.match(Buffer.concat(chunks).toString('utf8'), /^HTTP\/1\.[01] 200 /)
  })
})
