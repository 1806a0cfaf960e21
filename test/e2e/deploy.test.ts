/**
 * `tend run playbooks/api-deploy.yaml` across four test hosts, two at a time: a release takes
 * effect everywhere (each body says so, asked from this machine), and a release that breaks the
 * routes halts the rollout after the first batch, leaving the second batch untouched.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { APP_PORT, RELEASE_PATH, UNIT_NAME, httpGet } from '../../src/testbed/index.js'
import { cleanEnv, project, tend } from '../cli/support.js'
import { leaseHosts, testbed, type TestHost } from '../support/testbed.js'
import { mainPid, onHost } from '../modules/systemd-harness.js'
import { REPO } from './support.js'
import { eventsIn } from '../support/events.js'

const hosts: readonly TestHost[] = await leaseHosts(4)
const limit = hosts.map((h) => h.name).join(':')

async function run(playbook: string, cwd: string, ...args: string[]) {
  const result = await tend(['run', playbook, '-i', testbed().inventoryFile, '--limit', limit, '--json', ...args], cwd, cleanEnv())
  const events = eventsIn(result.stdout)
  return { ...result, events }
}

const deploy = (release: string) => run('playbooks/api-deploy.yaml', REPO, '-e', `release=${release}`, '-e', 'stable_seconds=2', '-e', 'routes_within=3')

/** What a user sees on / of each host, asked from this machine over the test network. */
const bodies = () => Promise.all(hosts.map(async (h) => (await httpGet(h.address, APP_PORT, '/')).body))

/** A gate alone: the page must come from release 2 (the body check of the deployment). */
const gate = await project({
  'gate.yaml': `- hosts: all
  tasks:
    - name: the page comes from release 2
      http: { url: "http://127.0.0.1:${APP_PORT}", routes: [/, { path: /gaps, matches: "pid=[0-9]+ release=2" }], contains: release=2, within: 0 }
`,
})

test('a body check fails while the old release answers, and passes after the deployment on every host', async () => {
  const before = await run('gate.yaml', gate)
  assert.equal(before.code, 2, before.stdout)
  const failure = before.events.find((e) => e.type === 'task-end' && e.status === 'failed')
  assert.match(failure?.type === 'task-end' ? failure.message ?? '' : '', /\/ body does not contain "release=2": "scidex-api ok route=\/ pid=\d+ release=1\\n"/)

  const pids = await Promise.all(hosts.map((h) => mainPid(h)))
  const deployed = await deploy('2')
  assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr)
  const batches = deployed.events.filter((e) => e.type === 'batch-start')
  assert.deepEqual(batches.map((b) => b.type === 'batch-start' && b.hosts.length), [2, 2])
  for (const body of await bodies()) assert.match(body, /release=2\n$/)
  const after = await Promise.all(hosts.map((h) => mainPid(h)))
  after.forEach((pid, i) => assert.notEqual(pid, pids[i], `${hosts[i]!.name} was restarted`))

  assert.equal((await run('gate.yaml', gate)).code, 0)
  const again = await deploy('2')
  assert.equal(again.code, 0, again.stderr)
  assert.ok(again.events.every((e) => e.type !== 'task-end' || e.status === 'ok'), 'a second deployment changes nothing')
})

test('a release that fails its routes halts the rollout after the first batch; the second batch keeps the old release', async () => {
  const pids = new Map(await Promise.all(hosts.map(async (h) => [h.name, await mainPid(h)] as const)))
  const broken = await deploy('3-broken')
  assert.equal(broken.code, 2, broken.stdout)
  const batches = broken.events.flatMap((e) => (e.type === 'batch-start' ? [e.hosts] : []))
  assert.equal(batches.length, 1, 'only the first batch ran')
  const first = new Set(batches[0])
  const playEnd = broken.events.find((e) => e.type === 'play-end')
  assert.match(playEnd?.type === 'play-end' ? playEnd.stopped ?? '' : '', /max_fail_percentage|fail/i)
  for (const host of hosts) {
    const release = await onHost(host, `cat ${RELEASE_PATH}`)
    const answer = await httpGet(host.address, APP_PORT, '/')
    if (first.has(host.name)) {
      assert.equal(release, '3-broken')
      assert.equal(answer.status, 500, `${host.name} runs the broken release`)
      assert.notEqual(await mainPid(host), pids.get(host.name))
    } else {
      assert.equal(release, '2', `${host.name} was not touched`)
      assert.match(answer.body, /release=2\n$/)
      assert.equal(answer.status, 200)
      assert.equal(await mainPid(host), pids.get(host.name), `${host.name} was not restarted`)
      assert.equal(await onHost(host, `systemctl show -p ActiveState --value ${UNIT_NAME}`), 'active')
    }
  }
})
