/** Inventory entries that name the same endpoint share one SSH connection, each keeping its name. */
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { leaseHost } from '../support/testbed.js'
import { cleanEnv, tend } from '../cli/support.js'
import { REPO, hostNow, totals } from './support.js'
import type { EngineEvent, RecapCounters } from '../../src/engine/events.js'
import { eventsIn } from '../support/events.js'

const host = await leaseHost()
const dir = await mkdtemp(join(tmpdir(), 'tend-shared-'))
const ENTRIES = ['api-1', 'api-2', 'api-3']

async function inventory(port: number): Promise<string> {
  const entry = { ansible_host: host.address, ansible_port: port, ansible_user: 'root',
    ansible_ssh_private_key_file: host.keyFile, tend_known_hosts_file: host.knownHostsFile }
  const file = join(dir, `inventory-${port}.yaml`)
  await writeFile(file, JSON.stringify({ all: { hosts: Object.fromEntries(ENTRIES.map((name) => [name, entry])) } }))
  return file
}

async function run(port: number) {
  const playbook = join(dir, 'site.yaml')
  await writeFile(playbook, '- hosts: all\n  tasks:\n    - shell: echo {{ inventory_hostname }} >> /tmp/tend-entries\n')
  const result = await tend(['run', playbook, '-i', await inventory(port), '--json'], REPO, cleanEnv())
  const events = eventsIn(result.stdout)
  const recap = events.find((e): e is Extract<EngineEvent, { type: 'recap' }> => e.type === 'recap')?.hosts ?? {}
  return { ...result, events, recap: recap as Record<string, RecapCounters> }
}

test('three entries for one host run their tasks over a single login', async () => {
  await host.sh('rm -f /tmp/tend-entries')
  const since = await hostNow(host)
  const result = await run(host.port)
  assert.equal(result.code, 0, result.stdout + result.stderr)
  assert.equal(totals(result.recap).changed, 3)
  const logins = await host.sh(`journalctl --since ${since} -u ssh.service -o cat | grep -c 'Accepted publickey' || true`)
  // One for tend, one for this journalctl through OpenSSH.
  assert.equal(Number(logins.stdout.trim()), 2, logins.stdout)
  assert.deepEqual((await host.sh('sort /tmp/tend-entries')).stdout.trim().split('\n'), ENTRIES)
})

test('an unreachable shared endpoint is reported for each entry', async () => {
  const result = await run(2)
  assert.equal(result.code, 4)
  for (const name of ENTRIES) {
    assert.equal(result.recap[name]?.unreachable, 1, name)
    const end = result.events.find((e) => e.type === 'task-end' && e.host === name)
    assert.ok(end?.type === 'task-end' && end.status === 'unreachable' && /refused/.test(end.message ?? ''), JSON.stringify(end))
  }
})
