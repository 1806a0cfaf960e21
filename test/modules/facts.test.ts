/** gather_facts: one round trip, Ansible's names, values checked against the host over OpenSSH. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseFacts } from '../../src/modules/facts.js'
import { cleanEnv, project, tend } from '../cli/support.js'
import { leaseHost } from '../support/testbed.js'
import { eventsOf } from '../support/events.js'

test('the fact script\'s output is read under Ansible\'s names (Debian point release, os family)', () => {
  const facts = parseFacts('hostname=web1\nnodename=web1\nfqdn=web1.example\nsystem=Linux\nkernel=6.1.0-18-amd64\nmachine=x86_64\nnproc=4\nmemtotal_kb=2048000\nos_id=debian\nos_like=\nos_version=12\nos_codename=bookworm\nos_name=Debian GNU/Linux\ndebian_version=12.5\ngateway=10.0.0.1\ninterface=eth0\naddress=10.0.0.5\ninit=systemd\nsystemd=252\n')
  assert.equal(facts.ansible_distribution, 'Debian')
  assert.equal(facts.ansible_os_family, 'Debian')
  assert.equal(facts.ansible_distribution_version, '12.5')
  assert.equal(facts.ansible_distribution_major_version, '12')
  assert.equal(facts.ansible_memtotal_mb, 2000)
  assert.deepEqual(facts.ansible_default_ipv4, { address: '10.0.0.5', interface: 'eth0', gateway: '10.0.0.1' })
  assert.deepEqual(facts.ansible_systemd, { version: 252 })
  assert.equal(parseFacts('os_id=rocky\nos_version=9.3\n').ansible_os_family, 'RedHat')
})

test('gather_facts: true gathers in one command; facts are top-level and under ansible_facts; default is off', async () => {
  const host = await leaseHost()
  const inventory = `${host.name} ansible_host=${host.address} ansible_port=${host.port} ansible_user=root ansible_ssh_private_key_file=${host.keyFile} tend_known_hosts_file=${host.knownHostsFile}\n`
  const site = `- hosts: all
  gather_facts: true
  tasks:
    - { name: show, debug: { msg: "{{ ansible_hostname }}|{{ ansible_facts.kernel }}|{{ ansible_distribution }} {{ ansible_distribution_major_version }}|{{ ansible_default_ipv4.address }}|{{ ansible_service_mgr }}|{{ ansible_processor_vcpus }}" } }
- hosts: all
  tasks:
    - { name: none, debug: { msg: "{{ ansible_facts_probe | default('no facts gathered') }}" } }
`
  const dir = await project({ 'site.yaml': site, hosts: inventory })
  const run = await tend(['run', 'site.yaml', '-i', 'hosts', '--json', '-vv'], dir, cleanEnv())
  assert.equal(run.code, 0, run.stdout + run.stderr)
  const ends = eventsOf(run.stdout, 'task-end')
  assert.deepEqual(ends.map((e) => e.type === 'task-end' && `${e.status} ${e.task}`), ['ok Gathering Facts', 'ok show', 'ok none'])
  const expected = (await host.sh(`. /etc/os-release; printf '%s|%s|Debian %s|' "$(hostname -s)" "$(uname -r)" "$VERSION_ID"; ip -4 -o addr show scope global | awk 'NR==1 {split($4,a,"/"); printf "%s|", a[1]}'; printf 'systemd|%s' "$(nproc)"`)).stdout
  const show = ends.find((e) => e.type === 'task-end' && e.task === 'show')
  assert.equal(show?.type === 'task-end' && show.message, expected)
})
