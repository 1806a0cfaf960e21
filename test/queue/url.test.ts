/** --queue URLs: what is accepted, what is refused, and that a password never survives into print. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { QueueUrlError } from '../../src/queue/errors.js'
import { batchJobId, hostJobId } from '../../src/queue/names.js'
import { parseQueueUrl, redactUrl } from '../../src/queue/url.js'

test('redis:// and rediss:// with user, password, port and database', () => {
  assert.deepEqual(parseQueueUrl('redis://10.0.0.5:6380/2'), { host: '10.0.0.5', port: 6380, db: 2, tls: false, display: 'redis://10.0.0.5:6380/2' })
  const full = parseQueueUrl('rediss://tend:s%40cret@redis.internal/0')
  assert.deepEqual(full, { host: 'redis.internal', port: 6379, db: 0, tls: true, username: 'tend', password: 's@cret', display: 'rediss://tend:***@redis.internal/0' })
  assert.equal(parseQueueUrl('redis://:pw@[::1]:7000').host, '::1')
})

test('anything else is refused, and the message never holds the password', () => {
  for (const bad of ['http://u:hunter2@h:1', 'redis://u:hunter2@h:1/x', 'not a url hunter2', 'redis://:hunter2@:1']) {
    assert.throws(() => parseQueueUrl(bad), (error: unknown) => error instanceof QueueUrlError && !error.message.includes('hunter2'), bad)
  }
  assert.equal(redactUrl('redis://user:p:w@h:1'), 'redis://user:***@h:1')
})

test('job ids never contain a colon, whatever the host is called', () => {
  assert.doesNotMatch(batchJobId('20261130-150000-abcd', 'ef01', 3), /:/)
  assert.doesNotMatch(hostJobId('20261130-150000-abcd', 'ef01', 3, 7), /:/)
})
