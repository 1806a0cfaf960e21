import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { leaseHost, stage, type TestHost } from '../support/testbed.js'
import type { Transport } from '../../src/transport/types.js'
import { stable } from '../../src/modules/stable.js'
import { resetToBaseline } from '../../src/testbed/index.js'
import { contextFor, converge, convergeInHost, onHost, sshTo } from './systemd-harness.js'

const UNIT = 'scidex-api.service'
let host: TestHost
let ssh: Transport

before(async () => {
  host = await leaseHost()
  ssh = await sshTo(host)
})
after(async () => ssh?.close())

/** Seconds the unit has been active, by the host's clock. */
async function activeForSeconds(): Promise<number> {
  const since = await onHost(host, `TZ=UTC LC_ALL=C systemctl show -p ActiveEnterTimestamp --value ${UNIT}`)
  const now = Number(await onHost(host, 'date +%s'))
  return now - Date.parse(since.replace(/^\w+ (\S+) (\S+) UTC$/, '$1T$2Z')) / 1000
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = Date.now()
  const result = await work()
  return { result, seconds: (Date.now() - started) / 1000 }
}

describe('stable over ssh', () => {
  it('passes at once when the unit has been active longer than the window', async () => {
    while ((await activeForSeconds()) < 4) await new Promise((r) => setTimeout(r, 500))
    const { result, seconds } = await timed(() => converge('stable', contextFor(ssh), { unit: UNIT, seconds: 3 }))
    assert.equal(result.failure, undefined)
    assert.deepEqual(result.changes, [])
    assert.ok(seconds < 1.5, `took ${seconds}s`)
  })

  it('waits only the remainder of the window after a recent start', async () => {
    await onHost(host, `systemctl restart ${UNIT}`)
    await new Promise((r) => setTimeout(r, 2000))
    const { result, seconds } = await timed(() => converge('stable', contextFor(ssh), { unit: UNIT, seconds: 4 }))
    assert.equal(result.failure, undefined)
    assert.ok(seconds > 1 && seconds < 3.5, `took ${seconds}s, expected about 2s`)
  })

  it('fails on a unit in a restart loop, although single samples can read active', async () => {
    await stage(host, 'loop')
    const result = await converge('stable', contextFor(ssh, { timeoutMs: 6000 }), { unit: UNIT, seconds: 10 })
    assert.match(result.failure ?? '', /^scidex-api\.service (restarted \(NRestarts \d+ → \d+|is (activating|failed|inactive)\/|was active for only .* by the deadline \(NRestarts [1-9])/)
  })

  it('stops waiting as soon as the task is cancelled', async () => {
    await resetToBaseline(host)
    await ssh.close()
    ssh = await sshTo(host) // the reset ends every ssh session on the host, ours too
    const controller = new AbortController()
    const ctx = { ...contextFor(ssh), signal: controller.signal }
    setTimeout(() => controller.abort(new Error('cancelled by test')), 700)
    const { result, seconds } = await timed(() => stable.probe(ctx, { unit: UNIT, seconds: 30 }).then(() => 'passed', (e: Error) => e.message))
    assert.equal(result, 'cancelled by test')
    assert.ok(seconds < 2, `took ${seconds}s`)
  })
})

describe('stable through the local transport inside the host', () => {
  it('passes on a long-active unit and fails on a looping one', async () => {
    await resetToBaseline(host)
    while ((await activeForSeconds()) < 3) await new Promise((r) => setTimeout(r, 500))
    assert.equal((await convergeInHost(host, 'stable', { unit: UNIT, seconds: 2 })).failure, undefined)
    await stage(host, 'loop')
    const looping = await convergeInHost(host, 'stable', { unit: UNIT, seconds: 10 }, { timeoutMs: 6000 })
    assert.match(looping.failure ?? '', /^scidex-api\.service (restarted|is |was active for only .* by the deadline \(NRestarts [1-9])/)
  })
})
