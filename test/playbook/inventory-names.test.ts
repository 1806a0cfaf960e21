/**
 * Inventory names are data that become file names (host_vars/NAME, group_vars/NAME): a name holding
 * `/`, `..` or NUL is refused where it is written, in every inventory format, and no file it names
 * is read. A BOM at the start of an inventory is dropped.
 */
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError, type Diagnostic } from '../../src/errors.js'
import { loadInventory } from '../../src/playbook/load.js'

async function inventoryDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-invnames-'))
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return dir
}

async function refused(path: string): Promise<readonly Diagnostic[]> {
  try {
    await loadInventory(path)
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error))
    return error.diagnostics
  }
  assert.fail(`${path} was accepted`)
}

const where = (d: Diagnostic): string => `${d.file.split('/').pop()}:${d.line}:${d.column} ${d.message}`

test('YAML inventory: host and group names with /, .. or NUL are refused at their file:line:column', async () => {
  const dir = await inventoryDir({
    'inv.yaml': 'all:\n  hosts:\n    good: {}\n    "../../../../etc/x": {}\n  children:\n    "a/b":\n      hosts:\n        "n\\0ul": {}\n    "..":\n      hosts: { other: {} }\n',
  })
  const found = (await refused(join(dir, 'inv.yaml'))).map(where).sort()
  assert.deepEqual(found, [
    'inv.yaml:4:5 inventory host name `../../../../etc/x` holds `/`',
    'inv.yaml:6:5 inventory group name `a/b` holds `/`',
    'inv.yaml:8:9 inventory host name `n\\u0000ul` holds a NUL byte',
    'inv.yaml:9:5 inventory group name `..` holds `..`',
  ])
})

test('INI inventory: a section or host line with such a name is refused at its line', async () => {
  const dir = await inventoryDir({ 'hosts.ini': '[web/x]\nlocalhost\n\n[ok]\n..evil ansible_connection=local\n' })
  assert.deepEqual((await refused(join(dir, 'hosts.ini'))).map(where).sort(), [
    'hosts.ini:1:2 inventory group name `web/x` holds `/`',
    'hosts.ini:5:1 inventory host name `..evil` holds `..`',
  ])
})

test('an inventory script printing such a host is refused by the script\'s name, and the file it names is never read as host_vars', async () => {
  const secretDir = await inventoryDir({ 'secret.yaml': 'leaked: true\n' })
  const dir = await inventoryDir({
    'inv.sh': `#!/bin/sh\ncase "$1" in --list) echo '{"web": {"hosts": ["ok1", "../../../../../../..${secretDir}/secret"]}}';; *) echo '{}';; esac\n`,
  })
  await chmod(join(dir, 'inv.sh'), 0o755)
  const found = await refused(join(dir, 'inv.sh'))
  assert.equal(found.length, 1)
  assert.equal(found[0]!.file, join(dir, 'inv.sh'))
  assert.match(found[0]!.message, /^inventory host name `[^`]*secret` holds `\/` \(printed by the inventory script\)$/)
  assert.doesNotMatch(JSON.stringify(found), /leaked/)
})

test('a BOM at the start of a YAML or INI inventory is dropped (no group named "\\uFEFFall")', async () => {
  const dir = await inventoryDir({ 'a.yaml': '\uFEFFall:\n  hosts:\n    h1: { x: 1 }\n', 'b.ini': '\uFEFF[web]\nh2\n' })
  const yaml = await loadInventory(join(dir, 'a.yaml'))
  assert.deepEqual([...yaml.groups.keys()].sort(), ['all', 'ungrouped'])
  assert.equal(yaml.hosts.get('h1')?.vars.x, 1)
  const ini = await loadInventory(join(dir, 'b.ini'))
  assert.deepEqual(ini.groups.get('web')?.hosts, ['h2'])
})
