/** What the repository ships (playbooks, example inventories) stays valid as the language moves. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { REPO } from '../e2e/support.js'
import { tend } from './support.js'

for (const inventory of ['inventory/local.yaml', 'inventory/fleet.yaml']) {
  test(`playbooks/api-recover.yaml validates against ${inventory}`, async () => {
    const run = await tend(['validate', 'playbooks/api-recover.yaml', '-i', inventory], REPO)
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /valid \(1 play, 6 tasks/)
  })
}

test('the example fleet selects hosts the way its comments say', async () => {
  const run = await tend(['inventory', '-i', 'inventory/fleet.yaml', '--limit', 'api:&eu'], REPO)
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.stdout.trim().split('\n'), ['api-eu-1', 'api-eu-2'])
})
