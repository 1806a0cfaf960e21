/**
 * The same incident fixed by tend running ON the host with the local transport (zx), using the
 * default inventory (inventory/local.yaml): what an operator does logged in to the broken box.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { shJoin, shQuote } from '../../src/transport/quote.js'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { leaseHost, stage } from '../support/testbed.js'
import { processExists } from '../modules/systemd-harness.js'
import { PLAYBOOK, REPO, STABLE_SECONDS, portHolders, routeStatuses, unitProps } from './support.js'

const host = await leaseHost()

async function tendOnHost(...args: string[]) {
  const argv = ['node', 'bin/tend.js', 'run', PLAYBOOK, '-e', `stable_seconds=${STABLE_SECONDS}`, ...args]
  return host.sh(`cd ${shQuote(REPO)} && ${shJoin(argv)}`, { timeoutMs: 120_000 })
}

test('tend on the host itself (local transport) evicts the rogue and a second run changes nothing', async () => {
  const { roguePids } = await stage(host, 'loop')
  const first = await tendOnHost()
  assert.equal(first.exitCode, 0, first.stdout + first.stderr)
  assert.match(first.stdout, new RegExp(`evict pid ${roguePids[0]}`))
  assert.equal(await processExists(host, roguePids[0]!), false)
  const holders = await portHolders(host)
  assert.ok(holders.length > 0 && holders.every((h) => h.cgroup === `/system.slice/${UNIT_NAME}`), JSON.stringify(holders))
  assert.deepEqual(await routeStatuses(host), Array(10).fill(200))

  const before = await unitProps(host)
  const second = await tendOnHost()
  assert.equal(second.exitCode, 0, second.stdout + second.stderr)
  assert.match(second.stdout, /localhost\s+: ok=7\s+changed=0\s+unreachable=0\s+failed=0/)
  const after = await unitProps(host)
  assert.deepEqual([after.mainPid, after.nRestarts], [before.mainPid, before.nRestarts])
})
