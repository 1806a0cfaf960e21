/**
 * The incident on 4 test hosts through 2 `tend worker` processes and a Redis of the test's own:
 * every host fixed (checked over OpenSSH and /proc), the recap and exit code of a local run, a
 * second queued run changes nothing; a worker SIGKILLed mid-host leaves its job to the other one
 * and every host is still converged and counted once.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { cleanEnv, finished, start, tend } from '../cli/support.js'
import { PLAYBOOK, REPO, STABLE_SECONDS, portHolders, routeStatuses, unitProps, type TendRun } from '../e2e/support.js'
import { processExists } from '../modules/systemd-harness.js'
import { leaseHosts, stage, testbed, type TestHost } from '../support/testbed.js'
import type { RecapCounters } from '../../src/engine/events.js'
import { startWorker, testRedis } from './support.js'
import { eventsIn } from '../support/events.js'

const hosts: TestHost[] = await leaseHosts(4)
const redis = await testRedis()
const workers = [await startWorker(redis, 'w1'), await startWorker(redis, 'w2')]
/** The runbook's task count, from the playbook itself (it grows with the runbook). */
const TASKS = (parse(readFileSync(join(REPO, PLAYBOOK), 'utf8')) as { tasks: unknown[] }[])[0]!.tasks.length

function argv(...extra: string[]): string[] {
  return ['run', PLAYBOOK, '-i', testbed().inventoryFile, '--limit', hosts.map((h) => h.name).join(','),
    '-e', `stable_seconds=${STABLE_SECONDS}`, '--json', ...extra]
}

function parsed(run: { code: number | null; stdout: string; stderr: string }): TendRun {
  const events = eventsIn(run.stdout)
  const recap = events.find((e) => e.type === 'recap')
  return { ...run, events, recap: recap?.type === 'recap' ? recap.hosts : {} }
}

const queued = async (...extra: string[]) => parsed(await tend(argv('--queue', redis.url, ...extra), REPO, cleanEnv()))

/** Stages the looping unit with a rogue on every host; returns each host's rogue pids. */
async function stageAll(): Promise<Map<TestHost, readonly number[]>> {
  const staged = await Promise.all(hosts.map((h) => stage(h, 'loop')))
  return new Map(hosts.map((h, i) => [h, staged[i]!.roguePids]))
}

/** Each host as the operator checks it: rogue gone, unit active, its own cgroup on :8000, routes 200. */
async function assertFixed(host: TestHost, roguePids: readonly number[]): Promise<void> {
  for (const pid of roguePids) assert.equal(await processExists(host, pid), false, `${host.name}: rogue ${pid} is gone`)
  const unit = await unitProps(host)
  assert.deepEqual([unit.activeState, unit.subState], ['active', 'running'], host.name)
  const holders = await portHolders(host)
  assert.ok(holders.length > 0, `${host.name}: something listens on :8000`)
  for (const h of holders) assert.equal(h.cgroup, `/system.slice/${UNIT_NAME}`, `${host.name}: listener ${h.pid}`)
  assert.deepEqual(await routeStatuses(host), Array(10).fill(200), host.name)
}

/** Every host's task-end events: exactly one per task, and the recap adds up to them. */
function assertCountedOnce(run: TendRun): void {
  for (const host of hosts) {
    const ends = run.events.filter((e) => e.type === 'task-end' && e.host === host.name)
    assert.equal(ends.length, TASKS, `${host.name}: ${ends.length} task-end events`)
    const counters = run.recap[host.name] as RecapCounters
    // Ansible's recap: ok counts changed (and ignored) tasks too.
    assert.equal(counters.ok + counters.failed + counters.unreachable + counters.skipped, TASKS, `${host.name}: ${JSON.stringify(counters)}`)
  }
}

test('the incident on 4 hosts through 2 workers: all fixed, the recap of a local run, a second run changes nothing', async () => {
  const rogues = await stageAll()
  const first = await queued()
  assert.equal(first.code, 0, first.stdout + first.stderr)
  for (const host of hosts) await assertFixed(host, rogues.get(host) ?? [])
  assertCountedOnce(first)
  for (const host of hosts) assert.ok((first.recap[host.name]?.changed ?? 0) >= 1, host.name)
  assert.ok(workers.every((w) => /converging/.test(w.log())), 'both workers took jobs')

  const before = await Promise.all(hosts.map(unitProps))
  const again = await queued()
  assert.equal(again.code, 0, again.stderr)
  for (const host of hosts) assert.deepEqual(again.recap[host.name], { ok: TASKS, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 })
  const after = await Promise.all(hosts.map(unitProps))
  assert.deepEqual(after.map((u) => [u.mainPid, u.nRestarts]), before.map((u) => [u.mainPid, u.nRestarts]), 'the second run touched a unit')

  await stageAll()
  const local = parsed(await tend(argv(), REPO, cleanEnv()))
  assert.equal(local.code, first.code)
  assert.deepEqual(local.recap, first.recap)
})

test('a worker SIGKILLed while converging a host: another takes the job over, every host converged, each counted once, exit 0', async () => {
  const rogues = await stageAll()
  const [victim, survivor] = workers as [typeof workers[0], typeof workers[0]]
  const before = victim.log().length
  const child = start(argv('--queue', redis.url), REPO, cleanEnv())
  const done = finished(child)
  // Its job has begun: the host lock is taken and tasks are running on the host.
  while (!/converging/.test(victim.log().slice(before))) await new Promise((resolve) => setTimeout(resolve, 100))
  const job = /job (\S+): converging (\S+)/.exec(victim.log().slice(before))
  await new Promise((resolve) => setTimeout(resolve, 1500))
  victim.child.kill('SIGKILL')
  assert.equal(await victim.exit, 'SIGKILL')
  const run = parsed(await done)
  assert.equal(run.code, 0, run.stdout + run.stderr)
  assertCountedOnce(run)
  for (const host of hosts) await assertFixed(host, rogues.get(host) ?? [])
  assert.match(survivor.log(), new RegExp(`job ${job?.[1]?.replace(/\./g, '\\.')}: converging ${job?.[2]} \\(run \\S+, attempt 2\\)`), 'the survivor took the job over')
})
