import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { ROUTES, UNIT_NAME, httpGet, resetToBaseline, sshSh } from '../src/testbed/index.js'
import { type TestHost, leaseHost, stage, testbed } from './support/testbed.js'

let host: TestHost
before(async () => { host = await leaseHost() })

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const show = async (property: string): Promise<string> =>
  (await host.sh(`systemctl show -p ${property} --value ${UNIT_NAME}`)).stdout.trim()
/** The name=systemd (v1) or unified (v2) cgroup path of a process on the host. */
const cgroupOf = async (pid: number): Promise<string> =>
  (await host.sh(`grep -m1 'name=systemd:\\|^0::' /proc/${pid}/cgroup | cut -d: -f3`)).stdout.trim()

async function routeAnswers(): Promise<{ route: string; status: number; body: string }[]> {
  return Promise.all(ROUTES.map(async (route) => ({ route, ...(await httpGet(host.address, 8000, route)) })))
}

test('a leased host is at the baseline: unit active and enabled, all ten routes answer 200 from its MainPID', async () => {
  assert.equal(await show('ActiveState'), 'active')
  assert.equal((await host.sh(`systemctl is-enabled ${UNIT_NAME}`)).stdout.trim(), 'enabled')
  const mainPid = await show('MainPID')
  assert.equal(await cgroupOf(Number(mainPid)), `/system.slice/${UNIT_NAME}`)
  for (const answer of await routeAnswers()) {
    assert.equal(answer.status, 200, `${answer.route}: ${answer.body}`)
    assert.match(answer.body, new RegExp(`pid=${mainPid}\\b`))
  }
})

test('staged loop is the seed incident: restarts grow, bind error in the journal, a rogue outside the unit holds :8000 while routes answer 200', async () => {
  const { roguePids } = await stage(host, 'loop')
  assert.equal(roguePids.length, 1)
  const rogue = roguePids[0]!
  const before = Number(await show('NRestarts'))
  await sleep(2500)
  assert.ok(Number(await show('NRestarts')) > before, 'NRestarts did not grow: the unit is not looping')
  const journal = await host.sh(`journalctl -u ${UNIT_NAME} --no-pager -o cat`)
  assert.match(journal.stdout, /OSError: \[Errno 98\] Address already in use/)
  const ss = await host.sh(`ss -ltnpH 'sport = :8000'`)
  assert.match(ss.stdout, new RegExp(`pid=${rogue},`))
  // Between restarts the unit has no ControlGroup to show; its path is fixed by its name.
  const unitCgroup = `/system.slice/${UNIT_NAME}`
  const rogueCgroup = await cgroupOf(rogue)
  assert.notEqual(rogueCgroup, unitCgroup)
  assert.match(rogueCgroup, /session-\d+\.scope/)
  for (const answer of await routeAnswers()) {
    assert.equal(answer.status, 200, `${answer.route}: ${answer.body}`)
    assert.match(answer.body, new RegExp(`pid=${rogue}\\b`))
  }
})

test('staged failed variant ends with the unit failed after "Start request repeated too quickly"', async () => {
  await resetToBaseline(host)
  const { roguePids } = await stage(host, 'failed')
  assert.equal(await show('ActiveState'), 'failed')
  const journal = await host.sh(`journalctl -u ${UNIT_NAME} --no-pager`)
  assert.match(journal.stdout, /Start request repeated too quickly/)
  assert.equal((await httpGet(host.address, 8000, '/')).body.includes(`pid=${roguePids[0]}`), true)
})

test('second-rogue holds :8000 twice (IPv4 and IPv6), both outside the unit', async () => {
  await resetToBaseline(host)
  const { roguePids } = await stage(host, 'second-rogue')
  assert.equal(roguePids.length, 2)
  const ss = (await host.sh(`ss -ltnpH 'sport = :8000'`)).stdout
  for (const pid of roguePids) {
    assert.match(ss, new RegExp(`pid=${pid},`))
    assert.doesNotMatch(await cgroupOf(pid), /scidex-api/)
  }
})

test('route-500 makes exactly one route answer 500; resetting to the baseline evicts rogues and unmasks', async () => {
  await resetToBaseline(host)
  await stage(host, 'route-500')
  const failing = (await routeAnswers()).filter((a) => a.status !== 200)
  assert.deepEqual(failing.map((a) => [a.route, a.status]), [['/exchange', 500]])
  const { roguePids } = await stage(host, 'loop')
  await stage(host, 'masked')
  await resetToBaseline(host)
  assert.equal((await host.sh(`kill -0 ${roguePids[0]}`)).exitCode, 1, 'rogue survived the reset')
  assert.equal((await host.sh(`systemctl is-enabled ${UNIT_NAME}`)).stdout.trim(), 'enabled')
  assert.equal((await routeAnswers()).every((a) => a.status === 200), true)
})

test('users tend (sudo without password) and tendpw (sudo asks for one) log in with the client key', async () => {
  const as = (user: string, script: string) => sshSh(host, script, { user })
  assert.equal((await as('tend', 'sudo -n id -u')).stdout.trim(), '0')
  const pw = await as('tendpw', 'sudo -n id -u')
  assert.notEqual(pw.exitCode, 0)
  assert.match(pw.stderr, /password is required/)
  const withPassword = await sshSh(host, `echo ${testbed().tendpwPassword} | su tendpw -c 'sudo -S -p "" id -u'`)
  assert.equal(withPassword.stdout.trim(), '0')
})

let tmp: string
after(() => { if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true }) })

test('every host has its own host keys, and strict host key checking against the written known_hosts works', async () => {
  const bed = testbed()
  const known = readFileSync(host.knownHostsFile, 'utf8').trim().split('\n').map((l) => l.split(' '))
  const ed25519 = known.filter((f) => f[1] === 'ssh-ed25519')
  assert.equal(ed25519.length, bed.hosts.length)
  assert.equal(new Set(ed25519.map((f) => f[2])).size, bed.hosts.length, 'two hosts share a host key')
  const machineKey = readFileSync('/etc/ssh/ssh_host_ed25519_key.pub', 'utf8').split(' ')[1]
  assert.equal(ed25519.some((f) => f[2] === machineKey), false, 'a host uses the machine\'s host key')
  // Other test files lease the other hosts and may have their sshd down for a moment (fault and
  // outage tests): ask each until it answers, a bounded number of times.
  for (const h of bed.hosts) {
    let name = ''
    for (let i = 0; i < 120 && name === ''; i++) {
      name = (await h.sh('hostname')).stdout.trim()
      if (name === '') await new Promise((resolve) => setTimeout(resolve, 500))
    }
    assert.equal(name, h.name)
  }
  // The check means something: the same login fails against another host's key.
  const other = ed25519.find((f) => f[0] !== host.address)!
  tmp = mkdtempSync(join(tmpdir(), 'tend-kh-'))
  writeFileSync(join(tmp, 'known_hosts'), `${host.address} ${other[1]} ${other[2]}\n`)
  const wrong = await sshSh({ ...host, knownHostsFile: join(tmp, 'known_hosts') }, 'true')
  assert.equal(wrong.exitCode, 255)
  assert.match(wrong.stderr, /Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/)
})

test('the inventory lists every host in group testhosts with address, port, root, key and known_hosts', () => {
  const bed = testbed()
  const inventory = parse(readFileSync(bed.inventoryFile, 'utf8')) as { all: { children: { testhosts: { hosts: Record<string, Record<string, unknown>> } } } }
  const hosts = inventory.all.children.testhosts.hosts
  assert.deepEqual(Object.keys(hosts), bed.hosts.map((h) => h.name))
  for (const h of bed.hosts) {
    assert.deepEqual(hosts[h.name], {
      ansible_host: h.address, ansible_port: 22, ansible_user: 'root',
      ansible_ssh_private_key_file: h.keyFile, tend_known_hosts_file: h.knownHostsFile,
    })
  }
})
