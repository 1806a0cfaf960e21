/**
 * Eviction only of what is truly a rogue: a user's own unit is a unit, sshd and PID 1 are never
 * stopped, and ownership is the owner's cgroup, not a unit name a nested container could also use.
 * Each checked on a real host through OpenSSH and /proc.
 */
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { processAlive, startRun, taskEndsOf } from '../faults/support.js'
import { project } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { portHolders, unitProps } from './support.js'

const host = await leaseHost()
const USER_UID = 2901 // the testbed's user `tend`
const dir = await project({
  'port.yaml': `- hosts: all
  tasks:
    - name: port
      port: { port: "{{ p | default(8000) }}", owner: ${UNIT_NAME}, grace: 3, evict_other_units: "{{ evict | default(false) | bool }}" }
`,
})

after(async () => {
  await host.sh(`systemctl --user -M ${USER_UID}@ stop tend-user-app.service 2>/dev/null; loginctl disable-linger ${USER_UID}; systemctl stop tend-nest.service tend-fault.socket tend-fault.service 2>/dev/null
rm -f /run/systemd/system/tend-fault.socket /run/systemd/system/tend-fault.service; systemctl daemon-reload; true`)
})

async function portTask(...args: string[]) {
  const run = await startRun(host, args, 'port.yaml', dir).done
  const [end] = taskEndsOf(run.stdout)
  assert.ok(end !== undefined, run.stdout + run.stderr)
  return { run, end }
}

async function listenerPid(port: number): Promise<number> {
  const out = await host.sh(`ss -ltnpH 'sport = :${port}' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2`)
  return Number(out.stdout.trim())
}

async function must(script: string): Promise<string> {
  const result = await host.sh(`set -e\n${script}`)
  assert.equal(result.exitCode, 0, result.stderr)
  return result.stdout.trim()
}

test("a process in a user's own systemd unit is not evicted unless evict_other_units says so", async () => {
  // Lingering keeps the user's manager up without a login session (logind stops it otherwise).
  await must(`systemctl stop ${UNIT_NAME}
loginctl enable-linger ${USER_UID}
systemctl start user@${USER_UID}.service
systemd-run --user -M ${USER_UID}@ --quiet --unit=tend-user-app.service /usr/bin/python3 -m http.server --bind 0.0.0.0 8000
i=0; until ss -ltnH 'sport = :8000' | grep -q LISTEN; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.1; done`)
  const pid = await listenerPid(8000)
  assert.match(await must(`grep -m1 name=systemd: /proc/${pid}/cgroup`), new RegExp(`user@${USER_UID}\\.service/.*/tend-user-app\\.service$`))

  const refused = await portTask()
  assert.equal(refused.run.code, 2)
  assert.match(refused.end.message ?? '', new RegExp(`^:8000 is held by tend-user-app.service \\(pid ${pid} .*in tend-user-app.service of user ${USER_UID}'s own systemd\\)\\), not by ${UNIT_NAME}; nothing was stopped`))
  assert.equal(await processAlive(host, pid), true, 'the user unit was left alone')

  const evicted = await portTask('-e', 'evict=true')
  assert.equal(evicted.run.code, 0, evicted.run.stdout)
  assert.match(evicted.end.changes[0]?.summary ?? '', new RegExp(`^stop tend-user-app.service of user ${USER_UID} `))
  assert.equal((await host.sh(`systemctl --user -M ${USER_UID}@ is-active tend-user-app.service`)).stdout.trim(), 'inactive')
  for (const holder of await portHolders(host)) assert.equal(holder.cgroup, `/system.slice/${UNIT_NAME}`)
})

test("evict_other_units never stops sshd, even when the port is sshd's", async () => {
  const sshd = await listenerPid(22)
  const before = await must('systemctl show -p MainPID --value ssh.service')
  const { run, end } = await portTask('-e', 'p=22', '-e', 'evict=true')
  assert.equal(run.code, 2)
  assert.match(end.message ?? '', /^:22 is held by pid \d+ \(sshd: .*in ssh\.service\), not by scidex-api\.service; tend never stops ssh\.service: this run's own connection to the host depends on it; nothing was stopped/)
  assert.equal(await processAlive(host, sshd), true)
  assert.equal(await must('systemctl show -p MainPID --value ssh.service'), before, 'sshd was not restarted')
  assert.equal(await listenerPid(22), sshd, 'sshd still listens')
})

test('evict_other_units never signals PID 1 (a socket unit listening in init.scope)', async () => {
  await must(`printf '[Socket]\\nListenStream=9200\\n' > /run/systemd/system/tend-fault.socket
printf '[Service]\\nExecStart=/bin/cat\\nStandardInput=socket\\n' > /run/systemd/system/tend-fault.service
systemctl daemon-reload && systemctl start tend-fault.socket`)
  assert.equal(await listenerPid(9200), 1)
  const { run, end } = await portTask('-e', 'p=9200', '-e', 'evict=true')
  assert.equal(run.code, 2)
  assert.match(end.message ?? '', /^:9200 is held by pid 1 \(.*in init\.scope\), not by scidex-api\.service; it is the host's systemd/)
  assert.equal(await must('systemctl is-active tend-fault.socket'), 'active')
  assert.equal(await listenerPid(9200), 1)
})

test("a process under another unit's cgroup named like the owner (a nested container) is not the owner's", async () => {
  // What a container's own scidex-api.service looks like from the host: deep inside the container's unit.
  await must(`systemctl stop ${UNIT_NAME}
systemd-run --quiet --unit=tend-nest.service -p Delegate=yes /usr/bin/sleep 600
for h in systemd unified; do mkdir -p /sys/fs/cgroup/$h/system.slice/tend-nest.service/payload/system.slice/${UNIT_NAME}; done
cd / && setsid nohup python3 -m http.server --bind 0.0.0.0 8000 >/dev/null 2>&1 </dev/null &
p=$!
for h in systemd unified; do echo $p > /sys/fs/cgroup/$h/system.slice/tend-nest.service/payload/system.slice/${UNIT_NAME}/cgroup.procs; done
i=0; until ss -ltnH 'sport = :8000' | grep -q LISTEN; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.1; done`)
  const pid = await listenerPid(8000)
  assert.match(await must(`grep -m1 name=systemd: /proc/${pid}/cgroup`), /tend-nest\.service\/payload\/system\.slice\/scidex-api\.service$/)
  const { run, end } = await portTask()
  assert.equal(run.code, 2, 'not taken for the owner: the owner is not running')
  assert.match(end.message ?? '', new RegExp(`^:8000 is held by tend-nest.service \\(pid ${pid} `))
  assert.equal(await processAlive(host, pid), true)
  assert.equal((await unitProps(host)).activeState, 'inactive', 'nothing was started or stopped')
  await must('systemctl stop tend-nest.service')
})
