/** wait_for and systemd/service on real test hosts through `tend run`, checked over OpenSSH. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { cleanEnv, project, tend } from '../cli/support.js'
import { leaseHost, type TestHost } from '../support/testbed.js'
import { unitProps } from './support.js'
import { eventsOf } from '../support/events.js'

let host: TestHost
const started: number[] = []

before(async () => {
  host = await leaseHost()
})

after(async () => {
  for (const pid of started) await host.sh(`kill ${pid} 2>/dev/null || true`)
  await host.sh(`systemctl start ${UNIT_NAME}; rm -f /tmp/tend-wf /tmp/tend-wf-late`)
})

/** An INI inventory naming the leased host. */
const inventory = () =>
  `[test]\n${host.name} ansible_host=${host.address} ansible_port=${host.port} ansible_user=root ansible_ssh_private_key_file=${host.keyFile} tend_known_hosts_file=${host.knownHostsFile}\n`

async function run(playbook: string) {
  const dir = await project({ 'site.yaml': playbook, hosts: inventory() })
  const result = await tend(['run', 'site.yaml', '-i', 'hosts', '--json'], dir, cleanEnv())
  const ends = eventsOf(result.stdout, 'task-end')
  return { ...result, status: (task: string) => ends.find((e) => e.task === task)?.status, message: (task: string) => ends.find((e) => e.task === task)?.message }
}

test('wait_for: port open/closed and path present/absent, judged on the host, polling within its timeout', async () => {
  const listener = await host.sh('setsid python3 -m http.server 9123 --bind 127.0.0.1 >/dev/null 2>&1 < /dev/null & echo $!')
  started.push(Number(listener.stdout.trim()))
  await host.sh('rm -f /tmp/tend-wf /tmp/tend-wf-late')
  const r = await run(`- hosts: test
  tasks:
    - { name: open, wait_for: { port: 9123, timeout: 20 } }
    - { name: closed, ansible.builtin.wait_for: { port: 9124, state: stopped, timeout: 5 } }
    - { name: gone, wait_for: { path: /tmp/tend-wf, state: absent, timeout: 5 } }
    - { name: later, shell: "setsid sh -c 'sleep 2; echo ready > /tmp/tend-wf-late' >/dev/null 2>&1 < /dev/null &" }
    - { name: appears, wait_for: { path: /tmp/tend-wf-late, search_regex: "^ready", timeout: 30 } }
    - { name: never, wait_for: { port: 9124, timeout: 1 }, ignore_errors: true }
    - { name: still open, wait_for: { port: 9123, state: stopped, timeout: 1 }, ignore_errors: true }
`)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  for (const task of ['open', 'closed', 'gone', 'appears']) assert.equal(r.status(task), 'ok', `${task}: ${r.message(task)}`)
  assert.equal(r.status('never'), 'ignored')
  assert.match(r.message('never')!, /127\.0\.0\.1:9124 is not open/)
  assert.equal(r.status('still open'), 'ignored')
  assert.match(r.message('still open')!, /127\.0\.0\.1:9123 is still open/)
})

test('systemd/service map onto unit: started/stopped are states, restarted is an action reported changed', async () => {
  const stop = await run(`- hosts: test
  tasks:
    - { name: stop, ansible.builtin.systemd: { name: ${UNIT_NAME}, state: stopped } }
`)
  assert.equal(stop.status('stop'), 'changed', stop.stdout)
  assert.equal((await unitProps(host)).activeState, 'inactive')
  const start = await run(`- hosts: test
  tasks:
    - { name: start, service: "name=${UNIT_NAME} state=started" }
`)
  assert.equal(start.status('start'), 'changed', start.stdout)
  const before = await unitProps(host)
  assert.equal(before.activeState, 'active')
  const again = await run(`- hosts: test
  tasks:
    - { name: start, ansible.builtin.service: { name: ${UNIT_NAME}, state: started } }
    - { name: restart, ansible.builtin.systemd_service: { name: ${UNIT_NAME}, state: restarted } }
`)
  assert.equal(again.code, 0, again.stdout + again.stderr)
  assert.equal(again.status('start'), 'ok')
  assert.equal(again.status('restart'), 'changed')
  const afterRestart = await unitProps(host)
  assert.equal(afterRestart.activeState, 'active')
  assert.notEqual(afterRestart.mainPid, before.mainPid)
})
