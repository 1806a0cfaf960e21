/** The schedule's pure parts: splay, the work queue, backoff, durations, health, listen addresses. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Backoff } from '../../src/watch/backoff.js'
import { formatDuration, parseDuration } from '../../src/watch/duration.js'
import { healthOf } from '../../src/watch/health.js'
import { parseListen } from '../../src/http/listen.js'
import { WorkQueue } from '../../src/watch/queue.js'
import type { HostEntry, ScheduleSnapshot } from '../../src/watch/schedule.js'
import { nextSlot, splayOffset } from '../../src/watch/splay.js'
import { matchHosts } from '../../src/cli/commands/history.js'

test('a host keeps its splay offset across restarts, and a fleet spreads over the window', () => {
  assert.equal(splayOffset('web1', 60_000, 60_000), splayOffset('web1', 60_000, 60_000))
  assert.equal(splayOffset('web1', 60_000, 0), 0)
  const hosts = Array.from({ length: 200 }, (_, i) => `host${i}.example.org`)
  const quarters = [0, 0, 0, 0]
  for (const h of hosts) {
    const offset = splayOffset(h, 60_000, 60_000)
    assert.ok(offset >= 0 && offset < 60_000)
    quarters[Math.floor(offset / 15_000)]! += 1
  }
  for (const q of quarters) assert.ok(q > 30 && q < 70, `quarters ${quarters.join(',')}`)
  // The splay never exceeds the interval.
  assert.ok(splayOffset('web1', 10_000, 1_000_000) < 10_000)
})

test('the next slot is the same whenever the watch (re)started inside an interval', () => {
  const interval = 60_000
  const slot = nextSlot('db1', interval, interval, 1_000_000_000_000)
  assert.ok(slot >= 1_000_000_000_000 && slot < 1_000_000_000_000 + interval)
  assert.equal(slot % interval, splayOffset('db1', interval, interval))
  assert.equal(nextSlot('db1', interval, interval, slot), slot)
  assert.equal(nextSlot('db1', interval, interval, slot + 1), slot + interval)
})

test('the work queue holds a key once and never hands it to two workers; a trigger while it runs is merged', async () => {
  const queue = new WorkQueue<string>()
  assert.equal(queue.add('a'), true)
  assert.equal(queue.add('a'), false)
  queue.add('b')
  assert.equal(queue.length, 2)
  assert.equal(await queue.get(), 'a')
  assert.equal(queue.add('a'), true, 'queued again while processing: dirty')
  assert.equal(await queue.get(), 'b', 'a is not handed out while it is processed')
  let third: string | undefined = 'pending'
  const waiting = queue.get().then((k) => (third = k))
  await new Promise((r) => setImmediate(r))
  assert.equal(third, 'pending')
  queue.done('a')
  await waiting
  assert.equal(third, 'a', 'handed out again once done')
  queue.shutDown()
  assert.equal(await queue.get(), undefined)
})

test('backoff doubles per failure up to the interval and resets on success', () => {
  const backoff = new Backoff(1000, 5000)
  assert.deepEqual([1, 2, 3, 4, 5].map(() => backoff.fail('h')), [1000, 2000, 4000, 5000, 5000])
  backoff.reset('h')
  assert.equal(backoff.fail('h'), 1000)
})

test('durations and listen addresses', () => {
  assert.deepEqual(['30s', '5m', '1h', '30d', '500ms', '2'].map(parseDuration), [30_000, 300_000, 3_600_000, 2_592_000_000, 500, 2000])
  assert.deepEqual(['', 'x', '0s', '-1s', '5 parsecs'].map(parseDuration), [undefined, undefined, undefined, undefined, undefined])
  assert.equal(formatDuration(300_000), '5m')
  assert.deepEqual(parseListen('9464'), { host: '127.0.0.1', port: 9464 })
  assert.deepEqual(parseListen(':9464'), { host: '127.0.0.1', port: 9464 })
  assert.deepEqual(parseListen('0.0.0.0:80'), { host: '0.0.0.0', port: 80 })
  assert.deepEqual(parseListen('[::1]:9464'), { host: '::1', port: 9464 })
  assert.equal(parseListen('host:99999'), undefined)
})

test('healthz: late reachable hosts make it 503 with their names; unreachable ones do not', () => {
  const entry = (host: string, patch: Partial<HostEntry>): HostEntry => ({ host, state: 'waiting', failures: 0, ...patch })
  const snap = (hosts: HostEntry[], stopping = false): ScheduleSnapshot =>
    ({ runId: 'r', playbook: 'p', everyMs: 10_000, splayMs: 0, startedAt: 0, stopping, hosts })
  assert.equal(healthOf(snap([entry('a', { lastChecked: 95_000, lastOutcome: 'ok' })]), 100_000).ok, true)
  const late = healthOf(snap([entry('a', { lastChecked: 50_000, lastOutcome: 'ok' })]), 100_000)
  assert.equal(late.ok, false)
  assert.match(late.reason, /\ba\b/)
  assert.equal(healthOf(snap([entry('a', { lastChecked: 50_000, lastOutcome: 'unreachable' })]), 100_000).ok, true)
  assert.equal(healthOf(snap([entry('new', {})]), 15_000).ok, true, 'a host never checked counts from the start')
  assert.equal(healthOf(snap([], true), 1).ok, false)
})

test('history host patterns', () => {
  const names = ['web1', 'web2', 'db1']
  assert.deepEqual(matchHosts(names, 'web*'), ['web1', 'web2'])
  assert.deepEqual(matchHosts(names, 'web*:!web2'), ['web1'])
  assert.deepEqual(matchHosts(names, '~^d'), ['db1'])
  assert.deepEqual(matchHosts(names, 'db1,web2'), ['web2', 'db1'])
})
