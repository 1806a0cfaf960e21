/**
 * Captured output has a cap on both transports (issue 20): a command printing 100 MB keeps the
 * first `outputCap` bytes of each stream, says how many were dropped, and costs the cap in memory,
 * not the output. Over ssh both ways a command runs are covered: a pooled shell and a session
 * channel of its own (a command with stdin).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { LocalTransport } from '../../src/transport/local.js'
import { openSsh } from '../../src/transport/ssh.js'
import type { Transport } from '../../src/transport/types.js'
import { startSshd, type Sshd } from './support/sshd.js'
import { isolateFromUserSsh, trustingTarget } from './support/target.js'

const MB = 1024 * 1024
/** 100 MiB of `x` on stdout, then `done` on stderr. */
const FLOOD = ['sh', '-c', 'head -c 104857600 /dev/zero | tr "\\0" x; echo done >&2']

/** Peak RSS growth while `work` runs, sampled every 20 ms. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ value: T; mb: number }> {
  const base = process.memoryUsage().rss
  let peak = base
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
  try {
    const value = await work()
    peak = Math.max(peak, process.memoryUsage().rss)
    return { value, mb: Math.round((peak - base) / MB) }
  } finally {
    clearInterval(timer)
  }
}

function behavesCapped(name: string, transport: () => Transport): void {
  it(`${name}: 100 MB of output keeps the first 10 MiB, says 90 MiB were dropped, and stays bounded in memory`, async (t) => {
    const { value: result, mb } = await peakGrowth(() => transport().exec(FLOOD))
    t.diagnostic(`${name}: peak RSS growth ${mb} MB for 100 MB of output`)
    assert.equal(result.exitCode, 0)
    assert.equal(result.stdout.length, 10 * MB)
    assert.match(result.stdout, /^x+$/)
    assert.equal(result.stderr, 'done\n')
    assert.deepEqual(result.truncated, { cap: 10 * MB, stdoutDropped: 90 * MB, stderrDropped: 0 })
    assert.ok(mb < 400, `peak RSS growth ${mb} MB`)
  })

  it(`${name}: a smaller cap applies to stdout and stderr alike; output under the cap has no truncated field`, async () => {
    const result = await transport().exec(['sh', '-c', 'printf 0123456789; printf abcdefghij >&2'], { outputCap: 4 })
    assert.deepEqual(result, { exitCode: 0, stdout: '0123', stderr: 'abcd', truncated: { cap: 4, stdoutDropped: 6, stderrDropped: 6 } })
    const small = await transport().exec(['echo', 'short'])
    assert.deepEqual(small, { exitCode: 0, stdout: 'short\n', stderr: '' })
  })

  it(`${name}: TEND_OUTPUT_CAP sets the default cap`, async () => {
    process.env.TEND_OUTPUT_CAP = '1k'
    try {
      const result = await transport().exec(['sh', '-c', 'head -c 5000 /dev/zero | tr "\\0" y'])
      assert.equal(result.stdout.length, 1024)
      assert.equal(result.truncated?.stdoutDropped, 5000 - 1024)
    } finally {
      delete process.env.TEND_OUTPUT_CAP
    }
  })

  it(`${name}: binary output past the cap leaves the next command's output intact`, async () => {
    const flood = await transport().exec(['sh', '-c', 'head -c 300000 /dev/urandom'], { outputCap: 1000 })
    assert.equal(flood.truncated?.stdoutDropped, 299_000)
    const next = await transport().exec(['sh', '-c', 'echo next; echo err >&2; exit 4'])
    assert.deepEqual(next, { exitCode: 4, stdout: 'next\n', stderr: 'err\n' })
  })

  it(`${name}: a NUL byte in an argument is refused before the command runs`, async () => {
    await assert.rejects(transport().exec(['touch', '/tmp/tend-nul-test\0.conf']), /argument 1 holds a NUL byte/)
  })
}

describe('output cap: local transport', () => {
  behavesCapped('local', () => new LocalTransport())
})

describe('output cap: ssh transport', () => {
  let sshd: Sshd
  let ssh: Transport
  before(async () => {
    sshd = await startSshd()
    isolateFromUserSsh(sshd.dir)
    ssh = await openSsh(await trustingTarget(sshd))
  })
  after(async () => {
    await ssh?.close()
    await sshd?.stop()
  })
  behavesCapped('ssh (pooled shell)', () => ssh)

  it('ssh (session channel, with stdin): 100 MB of output keeps the cap and says what was dropped', async (t) => {
    const { value: result, mb } = await peakGrowth(() => ssh.exec(FLOOD, { stdin: '' }))
    t.diagnostic(`ssh (channel): peak RSS growth ${mb} MB for 100 MB of output`)
    assert.equal(result.stdout.length, 10 * MB)
    assert.equal(result.stderr, 'done\n')
    assert.deepEqual(result.truncated, { cap: 10 * MB, stdoutDropped: 90 * MB, stderrDropped: 0 })
    const small = await ssh.exec(['sh', '-c', 'printf 0123456789 >&2'], { stdin: '', outputCap: 3 })
    assert.deepEqual(small, { exitCode: 0, stdout: '', stderr: '012', truncated: { cap: 3, stdoutDropped: 0, stderrDropped: 7 } })
  })
})
