/** What the repository ships (playbooks, example inventories) stays valid as the language moves. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { REPO } from '../e2e/support.js'
import { tend } from './support.js'

for (const inventory of ['inventory/local.yaml', 'inventory/fleet.yaml']) {
  test(`playbooks/api-recover.yaml validates against ${inventory}`, async () => {
    const run = await tend(['validate', 'playbooks/api-recover.yaml', '-i', inventory], REPO)
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /valid \(1 play, 7 tasks/)
  })

  test(`playbooks/api-deploy.yaml validates against ${inventory} given a release, and not without one`, async () => {
    const run = await tend(['validate', 'playbooks/api-deploy.yaml', '-i', inventory, '-e', 'release=2'], REPO)
    assert.equal(run.code, 0, run.stderr)
    assert.match(run.stdout, /valid \(1 play, 7 tasks/)
    const missing = await tend(['validate', 'playbooks/api-deploy.yaml', '-i', inventory], REPO)
    assert.equal(missing.code, 5, missing.stdout)
    assert.match(missing.stderr, /release/)
  })
}

test('the example fleet selects hosts the way its comments say', async () => {
  const run = await tend(['inventory', '-i', 'inventory/fleet.yaml', '--limit', 'api:&eu'], REPO)
  assert.equal(run.code, 0, run.stderr)
  assert.deepEqual(run.stdout.trim().split('\n'), ['api-eu-1', 'api-eu-2'])
})
