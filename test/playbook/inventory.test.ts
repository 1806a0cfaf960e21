import assert from 'node:assert/strict'
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError } from '../../src/errors.js'
import { loadInventory } from '../../src/playbook/load.js'

async function inventoryDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-inventory-'))
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return dir
}

const nested = `all:
  vars: { level: all, from_all: 1 }
  children:
    site:
      vars: { level: site }
      children:
        web:
          vars: { level: web }
          hosts:
            web1: { ansible_host: 10.77.0.11, ansible_port: "2222", ansible_user: tend }
            web2: { level: host }
`

test('variables follow Ansible precedence: all < parent group < child group < host', async () => {
  const dir = await inventoryDir({ 'inventory.yaml': nested })
  const inventory = await loadInventory(join(dir, 'inventory.yaml'))
  assert.equal(inventory.hosts.get('web1')?.vars.level, 'web')
  assert.equal(inventory.hosts.get('web1')?.vars.from_all, 1)
  assert.equal(inventory.hosts.get('web2')?.vars.level, 'host')
  assert.deepEqual(inventory.hosts.get('web1')?.groups, ['all', 'site', 'web'])
})

test('group_vars and host_vars files beside the inventory override inline vars', async () => {
  const dir = await inventoryDir({
    'inventory.yaml': nested,
    'group_vars/all.yml': 'from_all: 2\nfile_all: yes\n',
    'group_vars/site.yaml': 'level: site-file\n',
    'host_vars/web2/10-a.yaml': 'level: host-file-a\nextra: a\n',
    'host_vars/web2/20-b.yaml': 'level: host-file-b\n',
  })
  const inventory = await loadInventory(join(dir, 'inventory.yaml'))
  const web1 = inventory.hosts.get('web1')!.vars
  // Inline child-group vars lose to group_vars files, as in Ansible (inventory group_vars/* > inline group vars).
  assert.equal(web1.level, 'site-file')
  assert.equal(web1.from_all, 2)
  assert.equal(web1.file_all, true)
  const web2 = inventory.hosts.get('web2')!.vars
  assert.equal(web2.level, 'host-file-b')
  assert.equal(web2.extra, 'a')
  assert.ok(inventory.files.some((f) => f.endsWith('20-b.yaml')))
})

test('connection is derived from ansible_* and tend_* variables', async () => {
  const dir = await inventoryDir({
    'inventory.yaml': `all:
  vars: { tend_known_hosts_file: /etc/tend/known_hosts, jump: bastion.example }
  hosts:
    web1: { ansible_host: 10.77.0.11, ansible_port: "2222", ansible_user: tend, ansible_ssh_private_key_file: /k, tend_host_key_policy: accept-new, tend_proxy_jump: "{{ jump }}" }
    plain:
    localhost:
    127.0.0.1: { ansible_connection: ssh }
`,
  })
  const hosts = (await loadInventory(join(dir, 'inventory.yaml'))).hosts
  assert.deepEqual(hosts.get('web1')?.connection, {
    kind: 'ssh', address: '10.77.0.11', port: 2222, user: 'tend', keyFile: '/k',
    knownHostsFile: '/etc/tend/known_hosts', hostKeyPolicy: 'accept-new', hostKeyPolicyDeclared: true, proxyJump: 'bastion.example',
  })
  assert.deepEqual(hosts.get('plain')?.connection, { kind: 'ssh', address: 'plain', hostKeyPolicy: 'strict', knownHostsFile: '/etc/tend/known_hosts' })
  assert.deepEqual(hosts.get('localhost')?.connection, { kind: 'local' })
  assert.equal(hosts.get('127.0.0.1')?.connection.kind, 'ssh')
})

test('the default inventory inventory/local.yaml is this machine, reached locally', async () => {
  const inventory = await loadInventory(new URL('../../inventory/local.yaml', import.meta.url).pathname)
  assert.deepEqual([...inventory.hosts.keys()], ['localhost'])
  assert.deepEqual(inventory.hosts.get('localhost')?.connection, { kind: 'local' })
})

test('a bad group_vars file is reported at its own line', async () => {
  const dir = await inventoryDir({ 'inventory.yaml': nested, 'group_vars/web.yaml': 'ansible_connection: telnet\n' })
  const error = await loadInventory(join(dir, 'inventory.yaml')).catch((e: unknown) => e)
  assert.ok(error instanceof ConfigError)
  const d = error.diagnostics[0]!
  assert.ok(d.file.endsWith('group_vars/web.yaml'))
  assert.equal(`${d.line}:${d.column}`, '1:21')
  assert.match(d.message, /must be one of: local, ssh/)
})

test('a missing inventory file is one diagnostic naming the file', async () => {
  const error = await loadInventory('/nonexistent/inventory.yaml').catch((e: unknown) => e)
  assert.ok(error instanceof ConfigError)
  assert.equal(error.diagnostics[0]?.message, 'file not found')
})
