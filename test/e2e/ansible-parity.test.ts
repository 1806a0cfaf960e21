/**
 * Issue 13's acceptance: a playbook written for Ansible (INI inventory with a host range, a role
 * with defaults and handlers, include_tasks in a loop, set_fact, assert, debug, wait_for, systemd)
 * runs under `ansible-playbook` and under `tend run` against the same test hosts, each from the
 * baseline: the same end state (read over OpenSSH) and the same recap per host. Both outputs are
 * kept in test/e2e/output/ (ignored by git). ansible-playbook must be on PATH (CI installs it).
 */
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { resetToBaseline } from '../../src/testbed/index.js'
import { cleanEnv, parseRecap, project, tend, type Finished } from '../cli/support.js'
import { leaseHosts, type TestHost } from '../support/testbed.js'
import { ansiblePlaybook, fixtureFiles } from '../support/ansible.js'

const FIXTURE = fileURLToPath(new URL('../fixtures/ansible-parity/', import.meta.url))
const OUTPUT = fileURLToPath(new URL('./output/', import.meta.url))

/** The INI inventory: a host range, group vars both tools read, host_vars with each address. */
function inventoryFiles(hosts: readonly TestHost[]): Record<string, string> {
  const [first] = hosts
  const kh = first!.knownHostsFile
  const files: Record<string, string> = {
    hosts: `# Ansible INI inventory\n[app]\nnode[1:${hosts.length}]\n\n[app:vars]\ntier=production\nansible_user=root\n` +
      `ansible_ssh_private_key_file=${first!.keyFile}\ntend_known_hosts_file=${kh}\n` +
      `ansible_ssh_common_args='-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes'\nansible_python_interpreter=/usr/bin/python3\n`,
  }
  hosts.forEach((h, i) => (files[`host_vars/node${i + 1}.yml`] = `ansible_host: ${h.address}\nansible_port: ${h.port}\n`))
  return files
}

/** What a user would check on each host, read with OpenSSH: files, modes, the unit. */
async function endState(hosts: readonly TestHost[]): Promise<Record<string, string>> {
  const state: Record<string, string> = {}
  for (const [i, h] of hosts.entries()) {
    const out = await h.sh(`for f in /etc/tend-parity.conf /etc/tend-parity-blue /etc/tend-parity-green; do
      printf '== %s %s\\n' "$f" "$(stat -c %a "$f" 2>/dev/null || echo missing)"; cat "$f" 2>/dev/null; done
      printf '== unit %s\\n' "$(systemctl is-active scidex-api.service)"
      ss -ltnH 'sport = :8000' | grep -q . && echo '== listening 8000'`)
    state[`node${i + 1}`] = out.stdout
  }
  return state
}

function keep(name: string, run: Finished): void {
  mkdirSync(OUTPUT, { recursive: true })
  writeFileSync(join(OUTPUT, name), `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`)
}

test('a playbook written for Ansible: same end state and same recap under ansible-playbook and tend run', async () => {
  const hosts = await leaseHosts(2)
  const dir = await project({ ...fixtureFiles(FIXTURE), ...inventoryFiles(hosts) })
  const cleanup = async () => Promise.all(hosts.map((h) => h.sh('rm -f /etc/tend-parity.conf /etc/tend-parity-blue /etc/tend-parity-green')))
  const runs: { tool: string; first: Finished; second: Finished; state: Record<string, string> }[] = []
  for (const tool of ['ansible', 'tend'] as const) {
    await cleanup()
    await Promise.all(hosts.map(resetToBaseline))
    const go = () => (tool === 'ansible' ? ansiblePlaybook(['-i', 'hosts', 'site.yml'], dir, { ANSIBLE_PIPELINING: '1', ANSIBLE_HOST_KEY_CHECKING: '1' }) : tend(['run', 'site.yml', '-i', 'hosts'], dir, cleanEnv()))
    const first = await go()
    keep(`${tool}-first.txt`, first)
    const second = await go()
    keep(`${tool}-second.txt`, second)
    assert.equal(first.code, 0, `${tool} first run:\n${first.stdout}\n${first.stderr}`)
    assert.equal(second.code, 0, `${tool} second run:\n${second.stdout}\n${second.stderr}`)
    runs.push({ tool, first, second, state: await endState(hosts) })
  }
  await cleanup()
  const [ansible, ours] = runs as [typeof runs[0], typeof runs[0]]
  assert.deepEqual(ours.state, ansible.state)
  assert.match(ours.state.node1!, /== \/etc\/tend-parity.conf 640\nport=8000\nhost=node1\ntier=production\n/)
  assert.match(ours.state.node2!, /== \/etc\/tend-parity-green 644\nrelease green on node2\n/)
  for (const run of ['first', 'second'] as const) {
    const theirs = parseRecap(ansible[run].stdout)
    const mine = parseRecap(ours[run].stdout)
    assert.deepEqual(mine, theirs, `${run} run recap differs`)
  }
  // The handler restarted the unit on the first run only, under both tools.
  assert.match(ansible.first.stdout, /RUNNING HANDLER \[webapp : restart webapp\]/)
  assert.match(ours.first.stdout, /changed: \[node1\] restart webapp \(handler\)/)
  assert.equal(parseRecap(ours.second.stdout).node1!.changed, 0)
})
