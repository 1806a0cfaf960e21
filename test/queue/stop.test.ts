/**
 * Stopping parts of the distributed mode (local transport, real Redis and workers): SIGTERM lets a
 * worker finish the host in hand and exit 0 while the run goes on elsewhere; Redis stopped
 * mid-run stops the run with a clear error and exit 8, and the host in hand is finished, not half-done.
 */
import assert from 'node:assert/strict'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { LOCAL_INVENTORY, cleanEnv, finished, project, start, tend } from '../cli/support.js'
import { startWorker, testRedis } from './support.js'

const PLAYBOOK = `- hosts: all
  serial: 1
  tasks:
    - name: begin
      shell: touch {{ out }}/begin-{{ inventory_hostname }}
    - name: slow change
      shell: sleep 3 && touch {{ out }}/end-{{ inventory_hostname }}
`

const redis = await testRedis()
const dir = await project({ 'site.yaml': PLAYBOOK, 'one-batch.yaml': PLAYBOOK.replace('  serial: 1\n', ''), 'inventory.yaml': LOCAL_INVENTORY, 'out/.keep': '' })
const out = join(dir, 'out')
const has = (name: string) => existsSync(join(out, name))

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50))
}

function clean(): void {
  for (const h of ['alpha', 'beta', 'gamma']) for (const f of ['begin', 'end']) rmSync(join(out, `${f}-${h}`), { force: true })
}

const runQueued = () => start(['run', 'site.yaml', '-i', 'inventory.yaml', '-e', `out=${out}`, '--queue', redis.url], dir, cleanEnv())

test('SIGTERM: the worker finishes the host in hand and exits 0; the run goes on with another worker', async () => {
  const w1 = await startWorker(redis, 'w1')
  const run = finished(runQueued())
  await until(() => has('begin-alpha'))
  w1.child.kill('SIGTERM')
  assert.equal(await w1.exit, 0, w1.log())
  assert.equal(has('end-alpha'), true, 'the change in hand was finished')
  assert.equal(has('begin-beta'), false, 'the stopping worker took a new host')
  const w2 = await startWorker(redis, 'w2')
  const result = await run
  assert.equal(result.code, 0, result.stdout + result.stderr)
  assert.ok(['alpha', 'beta', 'gamma'].every((h) => has(`end-${h}`)))
  assert.match(result.stdout, /alpha\s+: ok=2\s+changed=2/)
  w2.child.kill('SIGTERM')
  assert.equal(await w2.exit, 0)
})

test('Ctrl-C on the controller: hosts no worker took are withdrawn, the host in hand finishes, exit 130', async () => {
  clean()
  const worker = await startWorker(redis, 'w0')
  const child = start(['run', 'one-batch.yaml', '-i', 'inventory.yaml', '-e', `out=${out}`, '--queue', redis.url], dir, cleanEnv())
  const run = finished(child)
  await until(() => has('begin-alpha'))
  child.kill('SIGINT')
  const result = await run
  assert.equal(result.code, 130, result.stdout + result.stderr)
  assert.equal(has('end-alpha'), true, 'the host in hand was finished')
  assert.match(result.stdout, /alpha\s+: ok=2\s+changed=2/)
  const status = JSON.parse((await tend(['queue', 'status', '--queue', redis.url, '--json'], dir, cleanEnv())).stdout) as { runs: unknown[]; jobs: Record<string, number> }
  assert.deepEqual([status.runs, status.jobs.waiting], [[], 0], 'hosts were left waiting')
  assert.equal(has('begin-beta') || has('begin-gamma'), false)
  worker.child.kill('SIGTERM')
  assert.equal(await worker.exit, 0)
})

test('Redis stopped mid-run: a clear error, exit 8, the host in hand finished and no later host started', async () => {
  clean()
  const worker = await startWorker(redis, 'w3')
  const run = finished(runQueued())
  await until(() => has('begin-alpha'))
  await redis.stop()
  const result = await run
  assert.equal(result.code, 8, result.stdout + result.stderr)
  assert.match(result.stderr, new RegExp(`lost Redis at redis://127\\.0\\.0\\.1:${redis.port}`))
  assert.doesNotMatch(result.stderr, /\n\s+at |unexpected error/)
  await worker.waitFor(/alpha ok/)
  assert.equal(has('end-alpha'), true, 'the host in hand was left half-done')
  assert.equal(has('begin-beta'), false)
  worker.child.kill('SIGTERM')
  assert.equal(await worker.exit, 0, worker.log())
  // The run stays resumable, on any Redis. The host whose result Redis could not deliver is not
  // known to be converged, so it converges again (idempotent); the hosts never started follow.
  const resume = /tend resume (\S+)/.exec(result.stderr)
  assert.ok(resume, result.stderr)
  const again = await testRedis()
  const fresh = await startWorker(again, 'w4')
  // The run's -e again: the store keeps only their digests.
  const resumed = await tend(['resume', resume[1]!, '-e', `out=${out}`, '--queue', again.url], dir, cleanEnv())
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr)
  assert.match(resumed.stdout, /resumed/)
  assert.ok(has('end-beta') && has('end-gamma'))
  fresh.child.kill('SIGTERM')
  assert.equal(await fresh.exit, 0)
})
