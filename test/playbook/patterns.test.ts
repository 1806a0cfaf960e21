import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { before, test } from 'node:test'
import { loadInventory } from '../../src/playbook/load.js'
import type { Inventory } from '../../src/playbook/model.js'
import { readHostList, selectHosts } from '../../src/playbook/patterns.js'

let inventory: Inventory
let dir: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tend-patterns-'))
  await writeFile(
    join(dir, 'inventory.yaml'),
    `all:
  hosts:
    bastion:
  children:
    web:
      hosts:
        web1:
        web2:
        web3:
    db:
      hosts:
        db1:
        db2:
    prod:
      hosts:
        web1:
        db1:
      children:
        prodweb:
          hosts:
            web2:
`,
  )
  inventory = await loadInventory(join(dir, 'inventory.yaml'))
})

const select = (pattern: string) => selectHosts(inventory, pattern)

test('all and * select every host in definition order', () => {
  assert.deepEqual(select('all'), ['bastion', 'web1', 'web2', 'web3', 'db1', 'db2'])
  assert.deepEqual(select('*'), select('all'))
})

test('a group name selects its hosts and those of its child groups', () => {
  assert.deepEqual(select('prod'), ['web1', 'web2', 'db1'])
})

test('a:b and a,b are unions, returned in inventory order', () => {
  assert.deepEqual(select('db:bastion'), ['bastion', 'db1', 'db2'])
  assert.deepEqual(select('db2,web1'), ['web1', 'db2'])
})

test('a:&b intersects', () => {
  assert.deepEqual(select('web:&prod'), ['web1', 'web2'])
})

test('a:!b excludes', () => {
  assert.deepEqual(select('web:!prod'), ['web3'])
  assert.deepEqual(select('!web'), ['bastion', 'db1', 'db2'])
})

test('unions come first, then intersections, then exclusions, whatever the written order', () => {
  // Left to right this would be ((web − web1) ∩ prod) ∪ db = web2, db1, db2; Ansible gives (web ∪ db) ∩ prod − web1.
  assert.deepEqual(select('web:!web1:&prod:db'), ['web2', 'db1'])
})

test('wildcards and ~regex match host and group names', () => {
  assert.deepEqual(select('web*'), ['web1', 'web2', 'web3'])
  assert.deepEqual(select('prodw*'), ['web2'])
  assert.deepEqual(select('~db[12]'), ['db1', 'db2'])
  assert.deepEqual(select('~(web|db)1'), ['web1', 'db1'])
})

test('an unknown name selects nothing', () => {
  assert.deepEqual(select('webb'), [])
})

test('a host list file gives one name per line, skipping blanks and comments', async () => {
  await writeFile(join(dir, 'retry'), 'web2\n\n# failed last time\ndb1  \n')
  const names = await readHostList(join(dir, 'retry'))
  assert.deepEqual(names, ['web2', 'db1'])
  assert.deepEqual(select(names.join(':')), ['web2', 'db1'])
})
