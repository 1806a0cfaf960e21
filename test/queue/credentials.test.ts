/**
 * The Redis password outside argv: a bare --queue with TEND_QUEUE_URL, or --queue-url-file (0600
 * or refused), never printed; and the run's -e values never in Redis in clear (job data sealed).
 */
import assert from 'node:assert/strict'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { Redis } from 'ioredis'
import { queueUrlOf } from '../../src/cli/queue-url.js'
import { QueueUrlError } from '../../src/queue/errors.js'
import { redactUrl } from '../../src/queue/url.js'
import { LOCAL_INVENTORY, project, tend } from '../cli/support.js'
import { redisEnv, startWorker, testRedis } from './support.js'

const PASSWORD = 'pa/ss@w0rd:Sesame'
const SECRET = 'queue-extra-var-Zq81xWv'
const redis = await testRedis({ password: 'Sesame-9f2c' })
const dir = await project({
  'site.yaml': `- hosts: all\n  tasks:\n    - name: use the token\n      shell: "test -n '{{ token }}' && sleep 1"\n      no_log: true\n`,
  'inventory.yaml': LOCAL_INVENTORY,
})

/** Every value of every key in Redis, as text: what an RDB dump or a key scan would show. */
async function everythingInRedis(url: string): Promise<string> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 })
  try {
    const parts: string[] = []
    for (const key of await client.keys('*')) {
      const type = await client.type(key)
      const value = type === 'string' ? await client.get(key)
        : type === 'hash' ? await client.hgetall(key)
        : type === 'list' ? await client.lrange(key, 0, -1)
        : type === 'set' ? await client.smembers(key)
        : type === 'zset' ? await client.zrange(key, '0', '-1')
        : type === 'stream' ? await client.xrange(key, '-', '+') : null
      parts.push(key, JSON.stringify(value))
    }
    return parts.join('\n')
  } finally {
    client.disconnect()
  }
}

test('a bare --queue takes TEND_QUEUE_URL; the run converges on a worker and its -e value is nowhere in Redis', async () => {
  const env = { ...redisEnv(redis), TEND_QUEUE_URL: redis.url }
  const worker = await startWorker(redis, 'env-worker')
  const running = tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--queue', '-e', `token=${SECRET}`], dir, env)
  // The batch's data is removed when the run ends: Redis is read while the hosts converge.
  let stored = ''
  let done = false
  void running.then(() => (done = true))
  while (!done) {
    stored += await everythingInRedis(redis.url)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  const run = await running
  assert.equal(run.code, 0, run.stdout + run.stderr)
  assert.match(run.stdout, /alpha\s+: ok=1\s+changed=1/)
  stored += await everythingInRedis(redis.url)
  assert.match(stored, /sealedExtraVars/, 'the batch data is still there to be searched')
  assert.ok(!stored.includes(SECRET), 'an -e value is in Redis in clear')
  for (const text of [run.stdout, run.stderr, worker.log()]) assert.ok(!text.includes('Sesame-9f2c'))
  const status = await tend(['queue', 'status'], dir, env)
  assert.equal(status.code, 0, status.stderr)
  assert.match(status.stdout, /redis:\/\/:\*\*\*@127\.0\.0\.1/)
  worker.child.kill('SIGTERM')
  assert.equal(await worker.exit, 0)
})

test('--queue-url-file: 0600 is read; a file others can read is refused, exit 5, and its password is never printed', async () => {
  const file = join(dir, 'queue-url')
  writeFileSync(file, `${redis.url}\n`, { mode: 0o644 })
  chmodSync(file, 0o644)
  const refused = await tend(['queue', 'status', '--queue-url-file', file], dir, redisEnv(redis))
  assert.equal(refused.code, 5, refused.stderr)
  assert.match(refused.stderr, /--queue-url-file .*queue-url: its mode is 0644, so others may read the password in it; `chmod 600 /)
  assert.ok(!(refused.stdout + refused.stderr).includes('Sesame-9f2c'))
  chmodSync(file, 0o600)
  const status = await tend(['queue', 'status', '--queue-url-file', file], dir, redisEnv(redis))
  assert.equal(status.code, 0, status.stderr)
  assert.ok(!(status.stdout + status.stderr).includes('Sesame-9f2c'))
  const missing = await tend(['worker'], dir, { ...redisEnv(redis), TEND_QUEUE_URL: '' })
  assert.equal(missing.code, 5)
  assert.match(missing.stderr, /no URL: give --queue URL, --queue-url-file FILE \(mode 0600\), or set TEND_QUEUE_URL/)
})

test('TEND_QUEUE_URL alone does not make a local run distributed; two sources of the URL are refused', () => {
  const env = { TEND_QUEUE_URL: 'redis://:x@h:1' }
  assert.equal(queueUrlOf({}, false, env), undefined)
  assert.equal(queueUrlOf({ queue: true }, false, env), 'redis://:x@h:1')
  assert.equal(queueUrlOf({}, true, env), 'redis://:x@h:1')
  assert.throws(() => queueUrlOf({ queue: 'redis://h:1', queueUrlFile: '/x' }, false, env), QueueUrlError)
})

test('a password holding / @ : is masked whole', () => {
  assert.equal(redactUrl(`redis://tend:${PASSWORD}@h:1/0`), 'redis://tend:***@h:1/0')
  assert.equal(redactUrl(`rediss://:${PASSWORD}@[::1]:6380`), 'rediss://:***@[::1]:6380')
})
