import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { createServer as createHttpServer } from 'node:http'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { classifyConnectError } from '../../src/transport/ssh-errors.js'
import { openSsh, type SshTarget } from '../../src/transport/ssh.js'
import { UnreachableError, type UnreachableReason } from '../../src/transport/types.js'
import { freePort, keygen, startSshd, type Sshd } from './support/sshd.js'
import { isolateFromUserSsh, trustingTarget } from './support/target.js'

async function reasonOf(target: SshTarget): Promise<UnreachableError> {
  const error = await openSsh(target).then(async (ssh) => {
    await ssh.close()
    return undefined
  }, (caught: unknown) => caught)
  assert.ok(error instanceof UnreachableError, `expected UnreachableError, got ${String(error)}`)
  return error
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address()
    resolve(typeof address === 'object' && address !== null ? address.port : 0)
  }))
}

describe('ssh transport: unreachable hosts are classified with a hint', () => {
  let sshd: Sshd
  let target: SshTarget

  before(async () => {
    sshd = await startSshd()
    isolateFromUserSsh(sshd.dir)
    target = await trustingTarget(sshd)
  })
  after(() => sshd?.stop())

  it('a key the server does not accept → auth, naming the key tried', async () => {
    const wrongKey = await keygen(join(sshd.dir, 'wrong'))
    const error = await reasonOf({ ...target, keyFile: wrongKey })
    assert.equal(error.reason, 'auth')
    assert.ok(error.hint?.includes(wrongKey), error.hint)
  })

  it('a port nobody listens on → refused', async () => {
    const error = await reasonOf({ ...target, port: await freePort() })
    assert.equal(error.reason, 'refused')
    assert.match(error.hint ?? '', /sshd running/)
  })

  it('a server that never speaks SSH → timeout after connectTimeoutMs', async () => {
    const silent = createServer(() => undefined)
    const port = await listen(silent)
    const error = await reasonOf({ ...target, port, connectTimeoutMs: 500 })
    silent.close()
    assert.equal(error.reason, 'timeout')
    assert.match(error.hint ?? '', /within 0\.5 s/, 'the configured connect timeout is the one applied')
  })

  it('resolver failures → dns', () => {
    const attempt = { host: 'h', address: 'nowhere', port: 22, user: 'root', timeoutMs: 10_000, auth: '' }
    const reasons: UnreachableReason[] = ['ENOTFOUND', 'EAI_AGAIN'].map((code) =>
      classifyConnectError(attempt, Object.assign(new Error(`getaddrinfo ${code} nowhere`), { code })).reason)
    assert.deepEqual(reasons, ['dns', 'dns'])
  })

  it('a connection that drops mid-run → later exec throws closed', async () => {
    const sockets: Socket[] = []
    const proxy = createServer((client) => {
      const upstream = connect(sshd.port, '127.0.0.1')
      sockets.push(client, upstream)
      client.pipe(upstream).pipe(client)
      client.on('error', () => undefined)
      upstream.on('error', () => undefined)
    })
    const port = await listen(proxy)
    const knownHostsFile = join(sshd.dir, 'proxy_known_hosts')
    await writeFile(knownHostsFile, (await sshd.knownHostsLine('ed25519')).replace(`:${sshd.port}`, `:${port}`))
    const ssh = await openSsh({ ...target, port, knownHostsFile })
    assert.equal((await ssh.exec(['echo', 'before'])).stdout, 'before\n')
    const running = ssh.exec(['sleep', '20'])
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (const socket of sockets) socket.destroy()
    await assert.rejects(running, (error: unknown) => error instanceof UnreachableError && error.reason === 'closed')
    await assert.rejects(ssh.exec(['echo', 'after']), (error: unknown) => error instanceof UnreachableError && error.reason === 'closed')
    await ssh.close()
    proxy.close()
  })

  it('openTcp reaches a service on the host\'s own 127.0.0.1 through the connection', async () => {
    const web = createHttpServer((request, response) => response.end(`hello from ${request.url}`))
    const port = await listen(web)
    const ssh = await openSsh(target)
    const stream = await ssh.openTcp('127.0.0.1', port)
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    const ended = new Promise((resolve) => stream.once('close', resolve))
    stream.end(`GET /probe HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n`)
    await ended
    const response = Buffer.concat(chunks).toString('utf8')
    assert.match(response, /^HTTP\/1\.1 200 OK/)
    assert.match(response, /hello from \/probe$/)
    await assert.rejects(ssh.openTcp('127.0.0.1', await freePort()), /cannot open TCP/)
    await ssh.close()
    web.close()
  })
})
