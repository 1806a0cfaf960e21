/** `tend inventory` (--list, --graph, --limit) and `tend schema`. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LOCAL_INVENTORY, project, tend } from './support.js'

test('inventory lists the hosts a pattern selects, one per line', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'limit.txt': '# retry file\nbeta\n\ngamma\n' })
  assert.equal((await tend(['inventory'], dir)).stdout, 'alpha\nbeta\ngamma\n')
  assert.equal((await tend(['inventory', '--limit', 'web:!alpha'], dir)).stdout, 'beta\n')
  assert.equal((await tend(['inventory', '--limit', '@limit.txt'], dir)).stdout, 'beta\ngamma\n')
  const none = await tend(['inventory', '--limit', 'nosuchhost'], dir)
  assert.equal(none.code, 5)
  assert.match(none.stderr, /matches no host/)
})

test('inventory --list is ansible-inventory JSON with groups and hostvars', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY })
  const result = await tend(['inventory', '--list'], dir)
  assert.equal(result.code, 0, result.stderr)
  const list = JSON.parse(result.stdout) as Record<string, { hosts?: string[]; children?: string[]; hostvars?: Record<string, Record<string, unknown>> }>
  assert.deepEqual(list.all?.children, ['web', 'db'])
  assert.deepEqual(list.web?.hosts, ['alpha', 'beta'])
  assert.equal(list._meta?.hostvars?.gamma?.db_port, 5432)
  const limited = JSON.parse((await tend(['inventory', '--list', '--limit', 'db'], dir)).stdout) as Record<string, unknown>
  assert.deepEqual(Object.keys(limited).sort(), ['_meta', 'all', 'db'])
})

test('inventory --graph draws the group tree like ansible-inventory', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY })
  const result = await tend(['inventory', '--graph'], dir)
  assert.equal(result.stdout, '@all:\n  |--@web:\n  |  |--alpha\n  |  |--beta\n  |--@db:\n  |  |--gamma\n')
})

test('schema prints JSON Schema for playbooks and inventories; an unknown kind exits 5', async () => {
  const dir = await project({})
  for (const kind of ['playbook', 'inventory']) {
    const result = await tend(['schema', kind], dir)
    assert.equal(result.code, 0, result.stderr)
    const schema = JSON.parse(result.stdout) as Record<string, unknown>
    assert.ok(typeof schema === 'object' && ('type' in schema || '$schema' in schema || 'items' in schema))
  }
  assert.equal((await tend(['schema', 'frobs'], dir)).code, 5)
})
