/**
 * Bad targets end in a clear line of the recap and change nothing else: the staged rogue is
 * still there afterwards, because tend stopped before touching it.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { resetToBaseline } from '../../src/testbed/index.js'
import { leaseHost, stage, testbed } from '../support/testbed.js'
import { processExists } from '../modules/systemd-harness.js'
import { cleanEnv, tend } from '../cli/support.js'
import { PLAYBOOK, REPO, recover, totals } from './support.js'

const host = await leaseHost()
const other = testbed().hosts.find((h) => h.name !== host.name)!
const dir = await mkdtemp(join(tmpdir(), 'tend-bad-'))

/** An inventory with this one host, its connection variables overridden. */
async function inventoryWith(vars: Readonly<Record<string, string | number>>): Promise<string> {
  const base = { ansible_host: host.address, ansible_port: host.port, ansible_user: 'root',
    ansible_ssh_private_key_file: host.keyFile, tend_known_hosts_file: host.knownHostsFile }
  const file = join(dir, `inventory-${Math.random().toString(36).slice(2)}.yaml`)
  await writeFile(file, JSON.stringify({ all: { hosts: { [host.name]: { ...base, ...vars } } } }))
  return file
}

async function runWith(inventory: string, ...args: string[]) {
  return tend(['run', PLAYBOOK, '-i', inventory, ...args], REPO, cleanEnv())
}

test('a closed port makes the host unreachable (refused), exit 4, nothing touched', async () => {
  const { roguePids } = await stage(host, 'loop')
  const run = await runWith(await inventoryWith({ ansible_port: 2 }))
  assert.equal(run.code, 4, run.stdout + run.stderr)
  assert.match(run.stdout, /unreachable=1/)
  assert.match(run.stdout, /refused/i)
  assert.equal(await processExists(host, roguePids[0]!), true)
})

test('a wrong host key is refused with the fix, exit 4, nothing touched', async () => {
  const { roguePids } = await stage(host, 'loop')
  // Another test host's key recorded under this host's address: a man in the middle, as far as tend knows.
  const known = (await readFile(host.knownHostsFile, 'utf8')).split('\n')
  const otherKeys = known.filter((l) => l.startsWith(`${other.address} `)).map((l) => l.replace(other.address, host.address))
  const knownHosts = join(dir, 'known_hosts_wrong')
  await writeFile(knownHosts, otherKeys.join('\n') + '\n')
  const run = await runWith(await inventoryWith({ tend_known_hosts_file: knownHosts }))
  assert.equal(run.code, 4, run.stdout + run.stderr)
  assert.match(run.stdout, /host key/i)
  assert.match(run.stdout, /ssh-keygen -R/)
  assert.equal(await processExists(host, roguePids[0]!), true)
})

test('sudo that needs a password fails clearly and changes nothing', async () => {
  const { roguePids } = await stage(host, 'loop')
  const playbook = join(dir, 'become.yaml')
  await writeFile(playbook, `- hosts: all\n  become: true\n  tasks:\n    - port: { port: 8000, owner: scidex-api.service }\n`)
  const run = await tend(['run', playbook, '-i', await inventoryWith({ ansible_user: 'tendpw' })], REPO, cleanEnv())
  assert.equal(run.code, 2, run.stdout + run.stderr)
  assert.match(run.stdout, /password is required/)
  assert.equal(await processExists(host, roguePids[0]!), true)
})

test('an unknown unit fails naming it', async () => {
  const run = await recover(host, '-e', 'unit=no-such-api.service')
  assert.equal(run.code, 2)
  const failed = run.events.find((e) => e.type === 'task-end' && e.status === 'failed')
  assert.ok(failed?.type === 'task-end' && failed.message?.includes('no-such-api.service'), JSON.stringify(failed))
  assert.equal(totals(run.recap).changed, 0)
})

test('a hostile unit name reaches the host as data, never as shell syntax', async () => {
  const hostile = `x';touch /tmp/pwned;'.service`
  const run = await recover(host, '-e', `unit=${hostile}`)
  assert.equal(run.code, 2, run.stdout + run.stderr)
  assert.equal((await host.sh('ls /tmp/pwned /pwned 2>/dev/null')).stdout, '')
})

test('a port held by another unit is not taken by default: the failure names that unit', async () => {
  await resetToBaseline(host)
  const squat = await host.sh(`systemctl stop scidex-api.service; systemctl reset-failed tend-squatter.service 2>/dev/null
    systemd-run --collect --unit=tend-squatter.service /usr/bin/python3 -m http.server 8000 &&
    for i in $(seq 50); do ss -ltnH 'sport = :8000' | grep -q . && exit 0; sleep 0.1; done; exit 1`)
  assert.equal(squat.exitCode, 0, squat.stderr)
  try {
    const run = await recover(host)
    assert.equal(run.code, 2, run.stdout + run.stderr)
    assert.match(run.stdout, /tend-squatter\.service/)
    assert.equal((await host.sh('systemctl is-active tend-squatter.service')).stdout.trim(), 'active')
  } finally {
    await host.sh('systemctl stop tend-squatter.service; systemctl start scidex-api.service')
  }
})
