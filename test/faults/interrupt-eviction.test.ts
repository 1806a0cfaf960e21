/**
 * Fault: Ctrl-C or SIGTERM while tend evicts a rogue that takes 4 s to shut down, the unit `failed`
 * at its start limit. The first signal lets the change in hand finish (evict, then start the
 * owner) and starts nothing new; a second one abandons it and the recap says what it left.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { portHolders, unitProps } from '../e2e/support.js'
import { leaseHost } from '../support/testbed.js'
import {
  ROGUE_TERM_FILE, assertCleanEnd, processAlive, stageSlowRogueFailedUnit, startRun, taskEndsOf, waitOnHost,
} from './support.js'

const host = await leaseHost()
const PORT_TASK = ':8000 is owned by scidex-api.service (rogue holders evicted)'

/** Starts the recovery and resolves once the rogue has received its SIGTERM from tend. */
async function runUntilEvicting() {
  const rogue = await stageSlowRogueFailedUnit(host)
  const run = startRun(host)
  await waitOnHost(host, `test -e ${ROGUE_TERM_FILE}`, 'the rogue got SIGTERM')
  return { rogue, run }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} during the eviction: the eviction and the owner's restart finish, nothing new starts, exit 130`, async () => {
    const { rogue, run } = await runUntilEvicting()
    run.child.kill(signal)
    const result = await run.done
    assertCleanEnd(result, 130)
    const ends = taskEndsOf(result.stdout)
    assert.deepEqual(ends.map((e) => e.task), ['unit is enabled and not masked', PORT_TASK], 'no task after the one in hand')
    const port = ends[1]!
    assert.equal(port.status, 'changed', port.message)
    assert.match(port.message ?? '', new RegExp(`interrupted by ${signal}: this task's changes were finished; nothing new starts`))
    assert.ok(port.changes.some((c) => c.summary.startsWith(`evict pid ${rogue} `)))
    assert.ok(port.changes.some((c) => c.summary.startsWith(`reset-failed, then restart ${UNIT_NAME}`)))
    assert.doesNotMatch(result.stdout + result.stderr, /timed out/)
    // The host, read through OpenSSH and /proc: rogue gone, the unit serves the port.
    assert.equal(await processAlive(host, rogue), false, 'the rogue is gone')
    const unit = await unitProps(host)
    assert.deepEqual([unit.activeState, unit.subState], ['active', 'running'])
    const holders = await portHolders(host)
    assert.ok(holders.length > 0, 'something listens on :8000')
    for (const holder of holders) assert.equal(holder.cgroup, `/system.slice/${UNIT_NAME}`)
  })
}

test('a second SIGINT abandons the eviction; the recap says what was done and what was not', async () => {
  const { rogue, run } = await runUntilEvicting()
  run.child.kill('SIGINT')
  await new Promise((resolve) => setTimeout(resolve, 300))
  run.child.kill('SIGINT')
  const result = await run.done
  assertCleanEnd(result, 130)
  assert.match(result.stderr, /SIGINT again: abandoning the change in hand/)
  const ends = taskEndsOf(result.stdout)
  assert.deepEqual(ends.map((e) => [e.task, e.status]), [['unit is enabled and not masked', 'ok'], [PORT_TASK, 'failed']])
  const message = ends[1]?.message ?? ''
  assert.match(message, new RegExp(`^abandoned by a second SIGINT: cut off while applying: evict pid ${rogue} `))
  assert.match(message, /\n {2}done: nothing\n {2}not started: reset-failed, then restart scidex-api\.service/)
  assert.doesNotMatch(result.stdout, /timed out/)
  // Exactly what the message says: the owner was never restarted (the rogue, already told to stop, ends on its own).
  await waitOnHost(host, `! test -d /proc/${rogue}`, 'the rogue ends after its 4 s shutdown')
  assert.equal((await unitProps(host)).activeState, 'failed', 'the owner was not started, as the recap says')
})
