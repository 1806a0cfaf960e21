/**
 * Redis in the trust boundary: AUTH and TLS (rediss://) work end to end, and the password never
 * appears in anything tend prints; a wrong password is a clear error.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LOCAL_INVENTORY, project, tend } from '../cli/support.js'
import { redisEnv, startWorker, testRedis } from './support.js'

const PASSWORD = 'c0rrect-h0rse'
const redis = await testRedis({ password: PASSWORD, tls: true })
const dir = await project({
  'site.yaml': `- hosts: all\n  tasks:\n    - name: greet\n      shell: echo hi {{ inventory_hostname }}\n`,
  'inventory.yaml': LOCAL_INVENTORY,
})

test('over TLS with a password: the run converges through a worker, and no output shows the password', async () => {
  assert.match(redis.url, /^rediss:\/\/:c0rrect-h0rse@127\.0\.0\.1:\d+$/)
  const worker = await startWorker(redis, 'tls-worker')
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--queue', redis.url], dir, redisEnv(redis))
  assert.equal(run.code, 0, run.stdout + run.stderr)
  assert.match(run.stdout, /alpha\s+: ok=1\s+changed=1/)
  const status = await tend(['queue', 'status', '--queue', redis.url], dir, redisEnv(redis))
  assert.equal(status.code, 0, status.stderr)
  assert.match(status.stdout, /queue rediss:\/\/:\*\*\*@127\.0\.0\.1/)
  assert.match(status.stdout, /tls-worker/)
  worker.child.kill('SIGTERM')
  assert.equal(await worker.exit, 0)
  for (const text of [run.stdout, run.stderr, status.stdout, status.stderr, worker.log()]) assert.doesNotMatch(text, /c0rrect/)
  assert.match(worker.log(), /rediss:\/\/:\*\*\*@127\.0\.0\.1/)
})

test('a wrong password: a clear error without the password, exit 8', async () => {
  const url = redis.url.replace(PASSWORD, 'wr0ng-pass')
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--queue', url], dir, redisEnv(redis))
  assert.equal(run.code, 8, run.stderr)
  assert.match(run.stderr, /cannot reach Redis at rediss:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS/)
  assert.doesNotMatch(run.stderr + run.stdout, /wr0ng|\n\s+at /)
  const worker = await tend(['worker', '--queue', url], dir, redisEnv(redis))
  assert.equal(worker.code, 8, worker.stderr)
  assert.doesNotMatch(worker.stderr, /wr0ng/)
})

test('a URL that is not redis:// is refused as input (exit 5)', async () => {
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--queue', 'http://u:secret@127.0.0.1:1'], dir, redisEnv(redis))
  assert.equal(run.code, 5)
  assert.match(run.stderr, /scheme http: is not redis: or rediss:/)
  assert.doesNotMatch(run.stderr, /secret/)
})
