/**
 * A rollout over the queue on 3 test hosts and 2 workers: the unfixable second host halts it
 * (exit 6, the third host untouched), then `tend resume --queue` after a hand repair converges the
 * rest without touching the first host again: as a local rollout does (test/e2e/rollout.test.ts).
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { APP_PATH, APP_PORT, UNIT_NAME } from '../../src/testbed/index.js'
import { cleanEnv, project, tend, type Finished } from '../cli/support.js'
import { portHolders, unitProps } from '../e2e/support.js'
import { leaseHosts, stage, testbed, type TestHost } from '../support/testbed.js'
import { startWorker, testRedis } from './support.js'
import { eventsIn } from '../support/events.js'

const leased = await leaseHosts(3)
const order = testbed().hosts.map((h) => h.name)
const hosts = leased.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
const redis = await testRedis()
await startWorker(redis, 'w1')
await startWorker(redis, 'w2')
const dir = await project({
  'halt.yaml': `- name: fleet
  hosts: testhosts
  serial: 1
  rollout: { error_budget: 0 }
  tasks:
    - name: port owned by the unit
      port: { port: ${APP_PORT}, owner: ${UNIT_NAME}, grace: 2 }
    - name: unit is active
      unit: { name: ${UNIT_NAME}, state: active }
`,
})
const state = join(dir, 'state')
const limit = ['-i', testbed().inventoryFile, '--limit', hosts.map((h) => h.name).join(':')]
const events = (run: Finished): EngineEvent[] => eventsIn(run.stdout)
const hostsWithTasks = (list: readonly EngineEvent[]) => [...new Set(list.flatMap((e) => (e.type === 'task-start' ? [e.host] : [])))]

/** Another unit holds the port: tend refuses to evict it (unfixable until repaired by hand). */
async function squat(host: TestHost): Promise<void> {
  const out = await host.sh(`systemctl stop squatter 2>/dev/null; systemctl reset-failed squatter 2>/dev/null
systemctl stop ${UNIT_NAME}
systemd-run --quiet --unit=squatter /usr/bin/python3 ${APP_PATH} --host 0.0.0.0
i=0; until ss -ltnH 'sport = :${APP_PORT}' | grep -q .; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done`)
  assert.equal(out.exitCode, 0, out.stderr)
}

async function ownsPort(host: TestHost): Promise<boolean> {
  const holders = await portHolders(host)
  return holders.length > 0 && holders.every((h) => h.cgroup === `/system.slice/${UNIT_NAME}`)
}

test('a rollout halted over the queue, then tend resume --queue after a repair, behaves as locally', async () => {
  await stage(hosts[0]!, 'loop')
  await squat(hosts[1]!)
  await stage(hosts[2]!, 'loop')
  const run = await tend(['run', 'halt.yaml', ...limit, '--state-dir', state, '--json', '--queue', redis.url], dir, cleanEnv())
  assert.equal(run.code, 6, run.stdout.slice(-3000) + run.stderr)
  const list = events(run)
  assert.deepEqual(hostsWithTasks(list), [hosts[0]!.name, hosts[1]!.name])
  const halt = list.find((e) => e.type === 'rollout-halt')
  assert.ok(halt?.type === 'rollout-halt' && halt.batch === 2 && /error budget exceeded/.test(halt.reason), JSON.stringify(halt))
  const end = list.at(-1)
  assert.ok(end?.type === 'run-end' && end.resume?.startsWith('tend resume '), JSON.stringify(end))
  assert.equal(await ownsPort(hosts[0]!), true)
  assert.equal(await ownsPort(hosts[2]!), false, 'the host after the halt was touched')
  const firstPid = (await unitProps(hosts[0]!)).mainPid

  assert.equal((await hosts[1]!.sh('systemctl stop squatter')).exitCode, 0) // the repair by hand
  const resumed = await tend(['resume', '--state-dir', state, '--json', '--queue', redis.url], dir, cleanEnv())
  assert.equal(resumed.code, 0, resumed.stdout.slice(-3000) + resumed.stderr)
  assert.deepEqual(hostsWithTasks(events(resumed)), hosts.slice(1).map((h) => h.name))
  for (const host of hosts) assert.equal(await ownsPort(host), true, host.name)
  assert.equal((await unitProps(hosts[0]!)).mainPid, firstPid, 'the first host was converged again')
  const shown = JSON.parse((await tend(['runs', '--state-dir', state, '--json'], dir, cleanEnv())).stdout) as { status: string }[]
  assert.equal(shown[0]?.status, 'converged')
})
