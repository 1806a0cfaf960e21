/**
 * Issue 21's task syntax against real hosts next to `ansible-playbook` (the model is
 * ansible-parity.test.ts): k=v arguments, free-form commands with creates=/chdir=, YAML 1.1 octal
 * and symbolic modes, FQCNs and aliases, a templated state and serial, `enabled: "yes"`,
 * systemd daemon_reload alone, `action:`, `local_action:`, `include:` and a templated ignore_errors.
 * Each tool runs the playbook twice from the baseline: the same end state (read over OpenSSH,
 * plus the files local_action wrote on the controller) and the same recap per host.
 */
import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { resetToBaseline } from '../../src/testbed/index.js'
import { cleanEnv, parseRecap, project, tend, type Finished } from '../cli/support.js'
import { leaseHosts, type TestHost } from '../support/testbed.js'
import { ansiblePlaybook, fixtureFiles } from '../support/ansible.js'

const FIXTURE = fileURLToPath(new URL('../fixtures/ansible-syntax/', import.meta.url))
const OUTPUT = fileURLToPath(new URL('./output/', import.meta.url))
const FILES = ['-motd', '.conf', '-done', '-pwd', '-included', '-blue', '-green'].map((f) => `/etc/tend-syntax${f}`)

function inventory(hosts: readonly TestHost[]): Record<string, string> {
  const [first] = hosts
  const kh = first!.knownHostsFile
  const lines = hosts.map((h, i) => `node${i + 1} ansible_host=${h.address} ansible_port=${h.port}`)
  return {
    hosts: `[app]\n${lines.join('\n')}\n\n[app:vars]\nansible_user=root\nansible_ssh_private_key_file=${first!.keyFile}\n` +
      `tend_known_hosts_file=${kh}\nansible_ssh_common_args='-o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes -o ControlMaster=no'\n` +
      'ansible_python_interpreter=/usr/bin/python3\n',
  }
}

/** Each file's mode and content, the unit's state, and what local_action left on the controller. */
async function endState(hosts: readonly TestHost[], dir: string): Promise<Record<string, string>> {
  const state: Record<string, string> = {}
  for (const [i, h] of hosts.entries()) {
    const out = await h.sh(`for f in ${FILES.join(' ')} /etc/tend-syntax-stale; do
      printf '== %s %s\\n' "$f" "$(stat -c %a "$f" 2>/dev/null || echo missing)"; cat "$f" 2>/dev/null; done
      printf '== unit %s %s\\n' "$(systemctl is-active tend-syntax.service)" "$(systemctl is-enabled tend-syntax.service)"`)
    const name = `node${i + 1}`
    let local: string
    try {
      local = readFileSync(join(dir, `local-${name}`), 'utf8')
    } catch {
      local = 'missing'
    }
    state[name] = `${out.stdout}== controller ${local}`
  }
  return state
}

const cleanup = (hosts: readonly TestHost[]) => Promise.all(hosts.map((h) => h.sh(`systemctl disable --now tend-syntax.service 2>/dev/null
  rm -f ${FILES.join(' ')} /etc/systemd/system/tend-syntax.service; systemctl daemon-reload; echo x > /etc/tend-syntax-stale`)))

test('Ansible\'s task syntax: same end state and same recap under ansible-playbook and tend run', async () => {
  const hosts = await leaseHosts(2)
  const dir = await project({ ...fixtureFiles(FIXTURE), ...inventory(hosts) })
  const runs: { tool: string; first: Finished; second: Finished; state: Record<string, string> }[] = []
  for (const tool of ['ansible', 'tend'] as const) {
    await Promise.all(hosts.map(resetToBaseline))
    await cleanup(hosts)
    for (const h of ['node1', 'node2']) rmSync(join(dir, `local-${h}`), { force: true })
    const go = () => (tool === 'ansible' ? ansiblePlaybook(['-i', 'hosts', 'site.yml'], dir, { ANSIBLE_PIPELINING: '1', ANSIBLE_HOST_KEY_CHECKING: '1', ANSIBLE_DEPRECATION_WARNINGS: '0' }) : tend(['run', 'site.yml', '-i', 'hosts'], dir, cleanEnv()))
    const first = await go()
    const second = await go()
    mkdirSync(OUTPUT, { recursive: true })
    for (const [n, r] of [['first', first], ['second', second]] as const) writeFileSync(join(OUTPUT, `syntax-${tool}-${n}.txt`), `exit ${r.code}\n${r.stdout}\n${r.stderr}`)
    assert.equal(first.code, 0, `${tool} first run:\n${first.stdout}\n${first.stderr}`)
    assert.equal(second.code, 0, `${tool} second run:\n${second.stdout}\n${second.stderr}`)
    runs.push({ tool, first, second, state: await endState(hosts, dir) })
  }
  await cleanup(hosts)
  const [ansible, ours] = runs as [typeof runs[0], typeof runs[0]]
  assert.deepEqual(ours.state, ansible.state)
  assert.match(ours.state.node1!, /== \/etc\/tend-syntax-motd 644\nwelcome to \{\{ not rendered \}\}\n/)
  assert.match(ours.state.node1!, /== \/etc\/tend-syntax\.conf 600\nport=8000\n== \/etc\/tend-syntax-done 660\n/)
  assert.match(ours.state.node1!, /== \/etc\/tend-syntax-pwd 644\n\/tmp\n/)
  assert.match(ours.state.node2!, /== \/etc\/tend-syntax-included 644\nhello from node2\n/)
  assert.match(ours.state.node2!, /== \/etc\/tend-syntax-stale missing\n/)
  assert.match(ours.state.node2!, /== unit active enabled\n== controller node2\n$/)
  for (const run of ['first', 'second'] as const) {
    assert.deepEqual(parseRecap(ours[run].stdout), parseRecap(ansible[run].stdout), `${run} run recap differs`)
  }
  assert.equal(parseRecap(ours.second.stdout).node1!.changed, 0)
  assert.equal(parseRecap(ours.second.stdout).node1!.ignored, 1)
})
