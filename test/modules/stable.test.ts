import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { leaseHost, stage, type TestHost } from '../support/testbed.js'
import type { Transport } from '../../src/transport/types.js'
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

async function activeEnter(): Promise<string> {
  return onHost(host, `systemctl show -p ActiveEnterTimestampMonotonic,MainPID ${UNIT}`)
}

describe('stable over ssh', () => {
  it('passes when the unit has been active longer than the window, and touches nothing', async () => {
    while ((await activeForSeconds()) < 4) await new Promise((r) => setTimeout(r, 500))
    const before = await activeEnter()
    const result = await converge('stable', await contextFor(ssh), { unit: UNIT, seconds: 3 })
    assert.equal(result.status, 'ok')
    assert.deepEqual(result.changes, [])
    assert.equal(await activeEnter(), before, 'same start, same main process')
  })

  it('after a recent start, passes only once the window is covered', async () => {
    await onHost(host, `systemctl restart ${UNIT}`)
    await new Promise((r) => setTimeout(r, 2000))
    const result = await converge('stable', await contextFor(ssh), { unit: UNIT, seconds: 4 })
    assert.equal(result.status, 'ok')
    // It passed only once the window was covered, by the host's own clock.
    assert.ok((await activeForSeconds()) >= 4)
  })

  it('fails on a unit in a restart loop, although single samples can read active', async () => {
    await stage(host, 'loop')
    const result = await converge('stable', await contextFor(ssh, { timeoutMs: 6000 }), { unit: UNIT, seconds: 10 })
    assert.match(result.failure ?? '', /^not as declared:\n {2}- scidex-api\.service (restarted \(NRestarts \d+ → \d+|is (activating|failed|inactive)\/|was active for only .* by the deadline \(NRestarts [1-9])/)
  })

  it('stops waiting as soon as the task is cancelled', async () => {
    await resetToBaseline(host)
    await ssh.close()
    ssh = await sshTo(host) // the reset ends every ssh session on the host, ours too
    const controller = new AbortController()
    const ctx = { ...(await await contextFor(ssh)), signal: controller.signal }
    setTimeout(() => controller.abort(new Error('cancelled by test')), 700)
    // A 30 s window on a fresh unit would pass; the engine's watch ends with the cancellation instead.
    const result = await converge('stable', ctx, { unit: UNIT, seconds: 30 }).then(() => 'passed', (e: Error) => e.message)
    assert.equal(result, 'cancelled by test')
  })
})

describe('stable through the local transport inside the host', () => {
  it('passes on a long-active unit and fails on a looping one', async () => {
    await resetToBaseline(host)
    while ((await activeForSeconds()) < 3) await new Promise((r) => setTimeout(r, 500))
    assert.equal((await convergeInHost(host, 'stable', { unit: UNIT, seconds: 2 })).failure, undefined)
    await stage(host, 'loop')
    const looping = await convergeInHost(host, 'stable', { unit: UNIT, seconds: 10 }, { timeoutMs: 6000 })
    assert.match(looping.failure ?? '', /^not as declared:\n {2}- scidex-api\.service (restarted|is |was active for only .* by the deadline \(NRestarts [1-9])/)
  })
})
