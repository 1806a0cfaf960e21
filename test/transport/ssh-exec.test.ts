import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { openSsh } from '../../src/transport/ssh.js'
import { CommandTimeoutError, type Transport } from '../../src/transport/types.js'
import { startSshd, type Sshd } from './support/sshd.js'
import { isolateFromUserSsh, trustingTarget } from './support/target.js'

const HOSTILE = [
  "it's", '"double"', '$(id)', '`id`', '${HOME}', 'a;b', 'x && y', 'line1\nline2', '*', '-n', '--', '',
  ' leading space', 'tab\there', 'back\\slash', '日本語 ✓ é', "'", "'\\''", '!', '#comment', '~', 'a|b>c<d',
]

describe('ssh transport: commands on one connection', () => {
  let sshd: Sshd
  let ssh: Transport

  before(async () => {
    sshd = await startSshd({ maxSessions: 3 })
    isolateFromUserSsh(sshd.dir)
    ssh = await openSsh(await trustingTarget(sshd))
  })
  after(async () => {
    await ssh?.close()
    await sshd?.stop()
  })

  it('returns exit code, stdout and stderr as data (non-zero exit does not throw)', async () => {
    const result = await ssh.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'])
    assert.deepEqual(result, { exitCode: 3, stdout: 'out\n', stderr: 'err\n' })
  })

  it('delivers hostile arguments to the host byte for byte, unexpanded', async () => {
    const result = await ssh.exec(['printf', '%s\\0', ...HOSTILE])
    assert.equal(result.exitCode, 0, result.stderr)
    assert.deepEqual(Buffer.from(result.stdout), Buffer.from(HOSTILE.map((word) => `${word}\0`).join('')))
  })

  it('passes the argument count through unchanged (empty strings stay arguments)', async () => {
    const result = await ssh.exec(['sh', '-c', 'echo $#', 'sh', ...HOSTILE])
    assert.equal(result.stdout, `${HOSTILE.length}\n`)
  })

  it('feeds stdin, then EOF', async () => {
    const input = Buffer.from('first line\n$(id) `id`\n日本語\n\0binary\xff', 'latin1')
    const result = await ssh.exec(['od', '-An', '-tx1', '-v'], { stdin: input })
    const bytes = result.stdout.split(/\s+/).filter(Boolean).map((hex) => Number.parseInt(hex, 16))
    assert.deepEqual(Buffer.from(bytes), input)
  })

  it('closes stdin when none is given, so a command reading it ends', async () => {
    const result = await ssh.exec(['cat'], { timeoutMs: 5000 })
    assert.deepEqual(result, { exitCode: 0, stdout: '', stderr: '' })
  })

  it('reports a command killed by a signal as 128+n', async () => {
    const result = await ssh.exec(['sh', '-c', 'kill -KILL $$'])
    assert.equal(result.exitCode, 137)
  })

  it('returns a large output whole, with or without a final newline', async () => {
    const big = await ssh.exec(['sh', '-c', 'head -c 4000000 /dev/zero | tr "\\0" x; echo tail >&2'])
    assert.equal(big.exitCode, 0)
    assert.equal(big.stdout.length, 4_000_000)
    assert.match(big.stdout, /^x+$/)
    assert.equal(big.stderr, 'tail\n')
    assert.equal((await ssh.exec(['printf', '%s', 'no newline'])).stdout, 'no newline')
  })

  it('times out a command, throws CommandTimeoutError and kills the remote process', async () => {
    // Had the timeout not fired, the sleep would have ended normally and exec resolved.
    await assert.rejects(ssh.exec(['sleep', '31.337'], { timeoutMs: 300 }), CommandTimeoutError)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const left = await ssh.exec(['pgrep', '-f', 'sleep 31[.]337'])
    assert.equal(left.exitCode, 1, `remote sleep still running: ${left.stdout}`)
  })

  it('stops a command when the caller aborts', async () => {
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 200)
    await assert.rejects(ssh.exec(['sleep', '30'], { signal: controller.signal }), CommandTimeoutError)
  })

  it('runs many commands in parallel over one TCP connection despite MaxSessions 3', async () => {
    const results = await Promise.all(Array.from({ length: 24 }, (_, index) =>
      ssh.exec(['sh', '-c', 'sleep 0.05; echo "$1"', 'sh', `job ${index}`])))
    assert.deepEqual(results.map((result) => result.stdout), results.map((_, index) => `job ${index}\n`))
    assert.equal(sshd.acceptedLogins(), 1, sshd.log())
  })

  it('runs a command as another user through sudo -n (become)', async () => {
    const result = await ssh.exec(['id', '-un'], { become: { user: 'nobody' } })
    assert.deepEqual(result, { exitCode: 0, stdout: 'nobody\n', stderr: '' })
  })

  it('keeps hostile arguments intact under become', async () => {
    const result = await ssh.exec(['printf', '%s\\0', ...HOSTILE], { become: { user: 'nobody' } })
    assert.equal(result.stdout, HOSTILE.map((word) => `${word}\0`).join(''))
  })
})

describe('ssh transport: startup files that write to stderr', () => {
  let sshd: Sshd
  let noise: string

  before(async () => {
    noise = join(await mkdtemp(join(tmpdir(), 'tend-noise-')), 'bash_env')
    await writeFile(noise, 'echo "startup noise" >&2\n')
    sshd = await startSshd({ extraConfig: `SetEnv BASH_ENV=${noise}` })
    isolateFromUserSsh(sshd.dir)
  })
  after(async () => {
    await sshd?.stop()
    await rm(dirname(noise), { recursive: true, force: true })
  })

  it('keeps their output in stderr and still kills a timed-out command', async () => {
    const ssh = await openSsh(await trustingTarget(sshd))
    const result = await ssh.exec(['sh', '-c', 'echo err >&2'])
    // BASH_ENV reaches every bash the startup files spawn, so the noise may repeat.
    assert.match(result.stderr, /^(startup noise\n)+err\n$/)
    await assert.rejects(ssh.exec(['sleep', '32.337'], { timeoutMs: 300 }), CommandTimeoutError)
    await new Promise((resolve) => setTimeout(resolve, 300))
    assert.equal((await ssh.exec(['pgrep', '-f', 'sleep 32[.]337'])).exitCode, 1)
    await ssh.close()
  })
})
