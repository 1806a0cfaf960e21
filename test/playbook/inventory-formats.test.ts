import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError } from '../../src/errors.js'
import { expandHostRange } from '../../src/playbook/host-ranges.js'
import { loadInventory } from '../../src/playbook/load.js'
import { selectHosts } from '../../src/playbook/patterns.js'

async function inventoryDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-invfmt-'))
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return dir
}

const INI = `# hosts before any section are ungrouped
bastion ansible_host=10.0.0.1

[web]
web[01:03].example.com http_port=8080
api-[a:b] ansible_port=2222 label="two words"

[db]
db1:5433 role=primary weight=1.5 enabled=True

[web:vars]
tier=frontend
ansible_user = deploy

[prod:children]
web
db

[prod:vars]
env=production
tier=everything
`

test('an INI inventory (detected from content) gives groups, children, vars, ranges and typed inline vars', async () => {
  const dir = await inventoryDir({ hosts: INI })
  const inventory = await loadInventory(join(dir, 'hosts'))
  assert.deepEqual([...inventory.hosts.keys()], ['bastion', 'web01.example.com', 'web02.example.com', 'web03.example.com', 'api-a', 'api-b', 'db1'])
  const web2 = inventory.hosts.get('web02.example.com')!
  assert.equal(web2.vars.http_port, 8080)
  // child group vars win over parent group vars, as in Ansible
  assert.equal(web2.vars.tier, 'frontend')
  assert.equal(web2.vars.env, 'production')
  assert.equal(web2.vars.ansible_user, 'deploy')
  assert.deepEqual(web2.groups, ['all', 'prod', 'web'])
  assert.equal(inventory.hosts.get('api-b')!.vars.label, 'two words')
  assert.deepEqual(inventory.hosts.get('api-b')!.connection, { kind: 'ssh', address: 'api-b', port: 2222, user: 'deploy', hostKeyPolicy: 'strict' })
  const db1 = inventory.hosts.get('db1')!
  assert.equal(db1.vars.ansible_port, 5433)
  assert.equal(db1.vars.weight, 1.5)
  assert.equal(db1.vars.enabled, true)
  assert.deepEqual(inventory.hosts.get('bastion')!.groups, ['all', 'ungrouped'])
  assert.deepEqual(selectHosts(inventory, 'ungrouped'), ['bastion'])
  assert.deepEqual(selectHosts(inventory, 'prod'), ['web01.example.com', 'web02.example.com', 'web03.example.com', 'api-a', 'api-b', 'db1'])
})

test('host ranges: leading zeros kept, letters, steps, inclusive end, several ranges', () => {
  assert.deepEqual(expandHostRange('web[08:10]'), ['web08', 'web09', 'web10'])
  assert.deepEqual(expandHostRange('db-[a:c]'), ['db-a', 'db-b', 'db-c'])
  assert.deepEqual(expandHostRange('n[0:6:3]'), ['n0', 'n3', 'n6'])
  assert.deepEqual(expandHostRange('r[1:2]-[a:b]'), ['r1-a', 'r1-b', 'r2-a', 'r2-b'])
  assert.ok('error' in (expandHostRange('web[3:1]') as object))
  assert.ok('error' in (expandHostRange('web[1:c]') as object))
})

test('YAML inventories expand host ranges too, and hosts in no group are `ungrouped`', async () => {
  const dir = await inventoryDir({ 'inventory.yaml': 'all:\n  hosts:\n    lone:\n  children:\n    web:\n      hosts:\n        web[1:3]:\n          ansible_connection: local\n' })
  const inventory = await loadInventory(join(dir, 'inventory.yaml'))
  assert.deepEqual(selectHosts(inventory, 'web'), ['web1', 'web2', 'web3'])
  assert.equal(inventory.hosts.get('web3')!.connection.kind, 'local')
  assert.deepEqual(selectHosts(inventory, 'ungrouped'), ['lone'])
})

test('pattern subscripts are 0-based with an inclusive end, as in Ansible', async () => {
  const dir = await inventoryDir({ hosts: '[web]\nweb[1:5]\n[db]\ndb[1:2]\n' })
  const inventory = await loadInventory(join(dir, 'hosts'))
  assert.deepEqual(selectHosts(inventory, 'web[0]'), ['web1'])
  assert.deepEqual(selectHosts(inventory, 'web[-1]'), ['web5'])
  assert.deepEqual(selectHosts(inventory, 'web[1:3]'), ['web2', 'web3', 'web4'])
  assert.deepEqual(selectHosts(inventory, 'web[3:]'), ['web4', 'web5'])
  assert.deepEqual(selectHosts(inventory, 'web[1:2]:db[0]'), ['web2', 'web3', 'db1'])
  assert.deepEqual(selectHosts(inventory, 'web:!web[0:3]'), ['web5'])
})

test('an inventory directory merges its files (YAML and INI) with group_vars/ and host_vars/ inside it', async () => {
  const dir = await inventoryDir({
    'inv/01-web.ini': '[web]\nweb1\nweb2\n',
    'inv/02-db.yaml': 'db:\n  hosts:\n    db1:\n  vars:\n    port: 5432\nweb:\n  hosts:\n    web3:\n',
    'inv/group_vars/web.yaml': 'color: blue\n',
    'inv/host_vars/db1.yaml': 'port: 6432\n',
    'inv/README.md': 'not an inventory\n',
  })
  const inventory = await loadInventory(join(dir, 'inv'))
  assert.deepEqual(selectHosts(inventory, 'web'), ['web1', 'web2', 'web3'])
  assert.equal(inventory.hosts.get('web3')!.vars.color, 'blue')
  assert.equal(inventory.hosts.get('db1')!.vars.port, 6432)
})

test('an executable inventory is run with --list and its JSON read, _meta.hostvars included', async () => {
  const dir = await inventoryDir({})
  const script = join(dir, 'dynamic.py')
  await writeFile(script, `#!/usr/bin/env python3
import json, sys
if sys.argv[1:] == ['--list']:
    print(json.dumps({
        'web': {'hosts': ['w1', 'w2'], 'vars': {'tier': 'web'}},
        'prod': {'children': ['web']},
        'legacy': ['old1'],
        '_meta': {'hostvars': {'w1': {'ansible_host': '10.1.1.1', 'slot': 1}}},
    }))
else:
    sys.exit(2)
`)
  await chmod(script, 0o755)
  const inventory = await loadInventory(script)
  assert.deepEqual(selectHosts(inventory, 'prod'), ['w1', 'w2'])
  assert.deepEqual(selectHosts(inventory, 'legacy'), ['old1'])
  assert.equal(inventory.hosts.get('w1')!.vars.slot, 1)
  assert.equal(inventory.hosts.get('w2')!.vars.tier, 'web')
  assert.deepEqual(inventory.hosts.get('w1')!.connection, { kind: 'ssh', address: '10.1.1.1', hostKeyPolicy: 'strict' })
})

test('a failing inventory script is a diagnostic naming it and its exit code', async () => {
  const dir = await inventoryDir({})
  const script = join(dir, 'broken.sh')
  await writeFile(script, '#!/bin/sh\necho "no cloud credentials" >&2\nexit 3\n')
  await chmod(script, 0o755)
  const error = await loadInventory(script).catch((e: unknown) => e)
  assert.ok(error instanceof ConfigError)
  assert.match(error.diagnostics[0]!.message, /exit 3.*no cloud credentials/)
})

test('a YAML or INI inventory with its execute bit set is read, not run', async () => {
  const dir = await inventoryDir({ hosts: '[web]\nweb1\n' })
  await chmod(join(dir, 'hosts'), 0o755)
  const inventory = await loadInventory(join(dir, 'hosts'))
  assert.deepEqual(selectHosts(inventory, 'web'), ['web1'])
})
