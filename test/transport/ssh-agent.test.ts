import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { openSsh, type SshTarget } from '../../src/transport/ssh.js'
import { startSshd, type Sshd } from './support/sshd.js'
import { isolateFromUserSsh, trustingTarget } from './support/target.js'

const run = promisify(execFile)

/** A real ssh-agent on a socket of our own, holding the client key; ended by pid afterwards. */
async function startAgent(dir: string, key: string): Promise<{ socket: string; agent: ChildProcess }> {
  const socket = join(dir, 'agent.sock')
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' })
  for (let i = 0; i < 50; i++) {
    const added = await run('ssh-add', [key], { env: { ...process.env, SSH_AUTH_SOCK: socket } }).then(() => true, () => false)
    if (added) return { socket, agent }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  agent.kill()
  throw new Error('ssh-agent did not come up')
}

describe('ssh transport: authentication through ssh-agent', () => {
  let sshd: Sshd
  let target: SshTarget
  let agent: ChildProcess | undefined

  before(async () => {
    sshd = await startSshd()
    isolateFromUserSsh(sshd.dir)
    const { keyFile: _unused, ...withoutKey } = await trustingTarget(sshd)
    target = withoutKey
    const started = await startAgent(sshd.dir, sshd.clientKey)
    agent = started.agent
    process.env['SSH_AUTH_SOCK'] = started.socket
  })
  after(async () => {
    delete process.env['SSH_AUTH_SOCK']
    agent?.kill()
    await sshd?.stop()
  })

  it('logs in with a key only the agent holds', async () => {
    const ssh = await openSsh(target)
    try {
      assert.equal((await ssh.exec(['id', '-un'])).stdout.trim(), 'root')
    } finally {
      await ssh.close()
    }
    assert.equal(sshd.acceptedLogins(), 1)
  })

  it('without the agent the same target is refused as auth', async () => {
    delete process.env['SSH_AUTH_SOCK']
    const error = await openSsh(target).then(() => undefined, (e: unknown) => e)
    assert.ok(error instanceof Error && (error as { reason?: string }).reason === 'auth', String(error))
  })
})
