/**
 * Fleet rollouts on five real hosts, each staged with the incident: a halt that leaves later
 * batches untouched, a resume after a hand repair, a controller SIGKILLed mid-batch, and a recheck
 * that catches a host of batch 1 breaking while batch 2 runs. Checked over OpenSSH and /proc.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { before, test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { APP_PATH, APP_PORT, FAIL_ROUTE_FILE, ROUTE_500, UNIT_NAME } from '../../src/testbed/index.js'
import { finished, project, start, tend, waitForOutput, type Finished } from '../cli/support.js'
import { processExists } from '../modules/systemd-harness.js'
import { leaseHosts, stage, testbed, type TestHost } from '../support/testbed.js'
import { portHolders, unitProps } from './support.js'
import { eventsIn } from '../support/events.js'

const unitCgroup = `/system.slice/${UNIT_NAME}`
let hosts: TestHost[]
let dir: string

/** The incident's runbook as a rollout: `rollout` keys and extra tasks come from each test. */
const playbook = (rollout: string, extraTasks = '') => `- name: fleet
  hosts: testhosts
  serial: 1
  rollout: ${rollout}
  tasks:
    - name: port owned by the unit
      port: { port: ${APP_PORT}, owner: ${UNIT_NAME}, grace: 2 }
    - name: unit is active
      unit: { name: ${UNIT_NAME}, state: active }
${extraTasks}    - name: routes answer 200
      http: { url: "http://127.0.0.1:${APP_PORT}", routes: [/, ${ROUTE_500}], status: 200, timeout: 3, within: 4 }
    - name: unit stays up
      stable: { unit: ${UNIT_NAME}, seconds: 2 }
`

before(async () => {
  const leased = await leaseHosts(5)
  const order = testbed().hosts.map((h) => h.name)
  hosts = leased.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
  dir = await project({})
})

const inventoryArgs = () => ['-i', testbed().inventoryFile, '--limit', hosts.map((h) => h.name).join(':')]
const events = (run: Finished): EngineEvent[] => eventsIn(run.stdout)
const hostsWithTasks = (list: readonly EngineEvent[]) => [...new Set(list.flatMap((e) => (e.type === 'task-start' ? [e.host] : [])))]

async function write(name: string, text: string): Promise<string> {
  const { writeFile } = await import('node:fs/promises')
  await writeFile(join(dir, name), text)
  return name
}

/** Another unit holds the port: without evict_other_units tend refuses to touch it. */
async function squat(host: TestHost): Promise<void> {
  await host.sh('systemctl stop squatter 2>/dev/null; systemctl reset-failed squatter 2>/dev/null; true')
  const out = await host.sh(`systemctl stop ${UNIT_NAME}
systemd-run --quiet --unit=squatter /usr/bin/python3 ${APP_PATH} --host 0.0.0.0
i=0; until ss -ltnH 'sport = :${APP_PORT}' | grep -q .; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done`)
  assert.equal(out.exitCode, 0, out.stderr)
}

async function assertConverged(host: TestHost): Promise<void> {
  const holders = await portHolders(host)
  assert.ok(holders.length > 0 && holders.every((h) => h.cgroup === unitCgroup), `${host.name}: ${JSON.stringify(holders)}`)
}

async function assertStillBroken(host: TestHost, roguePids: readonly number[]): Promise<void> {
  for (const pid of roguePids) assert.equal(await processExists(host, pid), true, `${host.name}: rogue ${pid} alive`)
  const holders = await portHolders(host)
  assert.ok(holders.every((h) => h.cgroup !== unitCgroup), `${host.name}: the unit does not own the port`)
  const first = (await unitProps(host)).nRestarts
  await new Promise((r) => setTimeout(r, 2500))
  assert.ok((await unitProps(host)).nRestarts > first, `${host.name}: the unit is still looping`)
}

test('error_budget 0: the unfixable second host halts the rollout; later hosts untouched; resume after a repair', async () => {
  const state = join(dir, 'state-halt')
  const rogues = await Promise.all(hosts.map((h, i) => (i === 1 ? squat(h).then(() => ({ roguePids: [] })) : stage(h, 'loop'))))
  const file = await write('halt.yaml', playbook('{ error_budget: 0 }'))
  const run = await tend(['run', file, ...inventoryArgs(), '--state-dir', state, '--json'], dir)
  assert.equal(run.code, 6, run.stdout.slice(-3000) + run.stderr)
  const list = events(run)
  assert.deepEqual(hostsWithTasks(list), [hosts[0]!.name, hosts[1]!.name])
  const halt = list.find((e) => e.type === 'rollout-halt')
  assert.ok(halt?.type === 'rollout-halt' && halt.batch === 2 && /error budget exceeded/.test(halt.reason), JSON.stringify(halt))
  const end = list.at(-1)
  assert.ok(end?.type === 'run-end' && end.resume?.startsWith('tend resume '), JSON.stringify(end))
  await assertConverged(hosts[0]!)
  const firstPid = (await unitProps(hosts[0]!)).mainPid
  for (const i of [2, 3, 4]) await assertStillBroken(hosts[i]!, rogues[i]!.roguePids)

  assert.equal((await hosts[1]!.sh('systemctl stop squatter')).exitCode, 0) // the repair by hand
  const resumed = await tend(['resume', '--state-dir', state, '--json'], dir)
  assert.equal(resumed.code, 0, resumed.stdout.slice(-3000) + resumed.stderr)
  assert.deepEqual(hostsWithTasks(events(resumed)), hosts.slice(1).map((h) => h.name))
  for (const host of hosts) await assertConverged(host)
  for (const [i, host] of hosts.entries()) for (const pid of rogues[i]!.roguePids) assert.equal(await processExists(host, pid), false)
  assert.equal((await unitProps(hosts[0]!)).mainPid, firstPid, 'the first host was not restarted again')
})

test('SIGKILL of the controller during batch 2: tend resume finishes, no host converged twice', async () => {
  const state = join(dir, 'state-kill')
  await Promise.all(hosts.map((h) => stage(h, 'loop')))
  const file = await write('kill.yaml', playbook('{ error_budget: 0 }').replace('serial: 1', 'serial: 2'))
  const child = start(['run', file, ...inventoryArgs(), '--state-dir', state, '--json'], dir)
  const done = finished(child)
  await waitForOutput(child, `"type":"task-start","play":"fleet","host":"${hosts[2]!.name}"`)
  child.kill('SIGKILL')
  await done
  const pids = await Promise.all(hosts.slice(0, 2).map(async (h) => (await unitProps(h)).mainPid))
  const runs = JSON.parse((await tend(['runs', '--state-dir', state, '--json'], dir)).stdout) as { id: string; status: string }[]
  assert.equal(runs[0]?.status, 'interrupted', 'a running run whose controller is gone')
  const resumed = await tend(['resume', '--state-dir', state, '--json', '--wait-lock', '30'], dir)
  assert.equal(resumed.code, 0, resumed.stdout.slice(-3000) + resumed.stderr)
  // Which hosts, not in which order: the two hosts of a batch start side by side.
  assert.deepEqual(hostsWithTasks(events(resumed)).sort(), hosts.slice(2).map((h) => h.name).sort())
  for (const host of hosts) await assertConverged(host)
  assert.deepEqual(await Promise.all(hosts.slice(0, 2).map(async (h) => (await unitProps(h)).mainPid)), pids)
  const shown = JSON.parse((await tend(['runs', runs[0]!.id, '--state-dir', state, '--json'], dir)).stdout) as
    { status: string; hosts: { host: string; status: string }[] }
  assert.equal(shown.status, 'converged')
  assert.deepEqual(shown.hosts.map((h) => h.status), ['changed', 'changed', 'changed', 'changed', 'changed'])
  const { StateStore } = await import('../../src/state/store.js')
  const { cyclesOfRun } = await import('../../src/state/run-progress.js')
  const store = StateStore.open(state, { readonly: true })
  const cycles = cyclesOfRun(store, runs[0]!.id)
  store.close()
  assert.deepEqual(cycles.map((c) => c.host).sort(), hosts.map((h) => h.name).sort(), 'one completed convergence per host')
})

test('recheck: a host of batch 1 that breaks while batch 2 runs halts the rollout before batch 3', async () => {
  const state = join(dir, 'state-recheck')
  const three = hosts.slice(0, 3)
  const slow = `    - name: slow step
      command: [sleep, "6"]
      when: inventory_hostname == "${three[1]!.name}"
`
  const file = await write('recheck.yaml', playbook('{ error_budget: 2, recheck: true }', slow))
  const limit = ['-i', testbed().inventoryFile, '--limit', three.map((h) => h.name).join(':')]
  const child = start(['run', file, ...limit, '--state-dir', state, '--json'], dir)
  const done = finished(child)
  await waitForOutput(child, `"type":"task-start","play":"fleet","host":"${three[1]!.name}","task":"slow step"`)
  await stage(three[0]!, 'route-500') // batch 1's host breaks behind the rollout's back
  const run = await done
  assert.equal(run.code, 6, run.stdout.slice(-3000) + run.stderr)
  const list = events(run)
  const rechecks = list.flatMap((e) => (e.type === 'rollout-recheck' ? [`${e.before}:${e.hosts.join(',')}`] : []))
  assert.deepEqual(rechecks, [`2:${three[0]!.name}`, `3:${three[0]!.name},${three[1]!.name}`])
  const halt = list.find((e) => e.type === 'rollout-halt')
  assert.ok(halt?.type === 'rollout-halt' && halt.reason.startsWith(`recheck: ${three[0]!.name} broke since converged`), JSON.stringify(halt))
  assert.deepEqual(halt.budget, { allowed: 2, used: 1 })
  assert.deepEqual(hostsWithTasks(list), [three[0]!.name, three[1]!.name], 'batch 3 never started')
  const runId = list[0]?.type === 'run-start' ? list[0].runId : ''
  const shown = JSON.parse((await tend(['runs', runId, '--state-dir', state, '--json'], dir)).stdout) as { hosts: { host: string; batch: number; status: string; message?: string }[] }
  const first = shown.hosts.find((h) => h.host === three[0]!.name)
  assert.equal(first?.status, 'failed')
  assert.equal(first?.batch, 1)
  assert.match(first?.message ?? '', /broke since converged \(recheck\): routes answer 200/)
  assert.equal(shown.hosts.find((h) => h.host === three[2]!.name)?.status, 'pending')
  assert.equal((await three[0]!.sh(`rm -f ${FAIL_ROUTE_FILE}`)).exitCode, 0)
})
