/**
 * Splay: ten inventory names for one test host (one shared SSH endpoint) watched with --splay
 * equal to the interval start spread over the interval, as the history records them.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { UNIT_NAME } from '../../src/testbed/index.js'
import { leaseHosts } from '../support/testbed.js'
import { history, inventoryOf, killWatch, startWatch } from './support.js'

const [host] = await leaseHosts(1) as [Awaited<ReturnType<typeof leaseHosts>>[0]]
const dir = mkdtempSync(join(tmpdir(), 'tend-watch-splay-'))
const names = Array.from({ length: 10 }, (_, i) => `splay-${String(i + 1).padStart(2, '0')}`)
writeFileSync(join(dir, 'inventory.yaml'), inventoryOf([host], names))
writeFileSync(join(dir, 'check.yaml'), `- name: the unit runs
  hosts: all
  tasks:
    - name: unit is active
      unit: { name: ${UNIT_NAME}, state: active }
`)
const EVERY_MS = 10_000
const watch = startWatch(dir, ['check.yaml', '-i', 'inventory.yaml', '--every', '10s', '--splay', '10s', '--forks', '10'])
after(() => killWatch(watch))

test('with --splay equal to the interval, ten hosts start spread over the interval', async () => {
  for (const name of names) {
    await watch.waitFor(`two cycles of ${name}`, (e) => e.type === 'cycle-end' && e.host === name
      && watch.events.filter((x) => x.type === 'cycle-end' && x.host === name).length >= 2)
  }
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
  const cycles = await history(dir, watch.stateDir, '--status', 'all')
  assert.deepEqual([...new Set(cycles.map((c) => c.host))].sort(), names)
  assert.ok(cycles.every((c) => c.outcome === 'ok'), JSON.stringify(cycles.filter((c) => c.outcome !== 'ok')))
  // Where in the interval each host's first cycle started.
  const offsets = names.map((name) => Math.min(...cycles.filter((c) => c.host === name).map((c) => c.startedAt)) % EVERY_MS).sort((a, b) => a - b)
  const quarters = new Set(offsets.map((o) => Math.floor(o / (EVERY_MS / 4))))
  assert.ok(quarters.size >= 3, `offsets ${offsets.join(', ')}`)
  assert.ok(offsets.at(-1)! - offsets[0]! >= EVERY_MS / 2, `offsets ${offsets.join(', ')}`)
  // No two hosts fired at once: the largest group within 100 ms of each other is small.
  const bunched = Math.max(...offsets.map((o) => offsets.filter((x) => Math.abs(x - o) < 100).length))
  assert.ok(bunched <= 3, `offsets ${offsets.join(', ')}`)
})
