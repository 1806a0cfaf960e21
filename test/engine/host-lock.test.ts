/** The host lock on real hosts: one holder at a time, the holder named, and no lock outlives its holder. */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { HostBusyError, lockHost, lockOwner } from '../../src/engine/host-lock.js'
import { LocalTransport } from '../../src/transport/local.js'
import type { Transport } from '../../src/transport/types.js'
import { leaseHost, type TestHost } from '../support/testbed.js'
import { sshTo } from '../modules/systemd-harness.js'

let host: TestHost
const open: Transport[] = []

before(async () => {
  host = await leaseHost()
})
after(async () => {
  await Promise.allSettled(open.map((t) => t.close()))
})

async function connect(): Promise<Transport> {
  const transport = await sshTo(host)
  open.push(transport)
  return transport
}

/** Asked through OpenSSH, not tend: is the lock file free right now? */
async function lockFree(): Promise<boolean> {
  return (await host.sh('flock -n /run/lock/tend.lock true')).exitCode === 0
}

async function eventuallyFree(): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (await lockFree()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return false
}

test('a second holder is refused at once and told who holds the host; release frees it', async () => {
  const first = await lockHost(await connect(), lockOwner('run-one'), 0)
  assert.equal(await lockFree(), false)
  await assert.rejects(lockHost(await connect(), lockOwner('run-two'), 0), (error: unknown) => {
    assert.ok(error instanceof HostBusyError)
    assert.match(error.message, /locked by run run-one \(controller .+, pid \d+\)/)
    return true
  })
  await first.release()
  assert.equal(await eventuallyFree(), true)
  const second = await lockHost(await connect(), lockOwner('run-two'), 0)
  await second.release()
})

test('a waiter gets the lock once the holder releases it', async () => {
  const first = await lockHost(await connect(), lockOwner('run-a'), 0)
  const waiting = lockHost(await connect(), lockOwner('run-b'), 30)
  let granted = false
  void waiting.then(() => (granted = true))
  await new Promise((resolve) => setTimeout(resolve, 500))
  assert.equal(granted, false, 'the waiter must not get a held lock')
  await first.release()
  const second = await waiting
  assert.equal(await lockFree(), false)
  await second.release()
})

test('a lock dies with its connection: a controller that vanished leaves no stale lock', async () => {
  const holder = await connect()
  await lockHost(holder, lockOwner('run-dead'), 0)
  assert.equal(await lockFree(), false)
  await holder.close()
  assert.equal(await eventuallyFree(), true)
})

test('the local transport holds the lock in a child that ends with its stdin', async () => {
  process.env.TEND_LOCK_DIR = mkdtempSync(join(tmpdir(), 'tend-lock-'))
  const local = new LocalTransport('controller')
  const first = await lockHost(local, lockOwner('local-one'), 0)
  await assert.rejects(lockHost(local, lockOwner('local-two'), 0), HostBusyError)
  await first.release()
  const second = await lockHost(local, lockOwner('local-two'), 0)
  await second.release()
})
