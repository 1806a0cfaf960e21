/**
 * `tend watch --queue` with two controllers (redundancy) and two workers on 2 test hosts: the
 * schedule lives in Redis, so each host converges once per interval however many controllers
 * watch; both controllers see (and record) every cycle; the last one to stop removes the schedule.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv, finished, project, start } from '../cli/support.js'
import { leaseHosts, testbed, type TestHost } from '../support/testbed.js'
import { freePort } from '../support/redis.js'
import { startWorker, testRedis } from './support.js'
import { eventLine } from '../support/events.js'

const EVERY_MS = 4000
const hosts: TestHost[] = await leaseHosts(2)
const redis = await testRedis()
const dir = await project({
  'watch.yaml': `- hosts: all\n  tasks:\n    - name: mark\n      shell: echo "$(date +%s.%N)" >> /root/queue-watch-log\n`,
})
const workers = [await startWorker(redis, 'w1'), await startWorker(redis, 'w2')]

function controller(...extra: string[]) {
  const stateDir = mkdtempSync(join(tmpdir(), 'tend-qwatch-'))
  const child = start(['watch', 'watch.yaml', '-i', testbed().inventoryFile, '--limit', hosts.map((h) => h.name).join(','),
    '--every', `${EVERY_MS / 1000}s`, '--splay', `${EVERY_MS / 1000}s`, '--queue', redis.url, '--state-dir', stateDir, '--json', ...extra], dir, cleanEnv())
  redis.track(child)
  let out = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  return { child, done: finished(child), seen: () => cyclesOf(out) }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 200))
}

/** host → the cycle ids (`…-SLOTMILLIS`) a controller saw end. */
function cyclesOf(stdout: string): Map<string, string[]> {
  const cycles = new Map<string, string[]>()
  for (const line of stdout.split('\n').filter((l) => l.startsWith('{'))) {
    const event = eventLine<{ type: string; host?: string; cycleId?: string; outcome?: string }>(line)
    if (event.type !== 'cycle-end') continue
    assert.equal(event.outcome, 'corrected', line)
    cycles.set(event.host!, [...(cycles.get(event.host!) ?? []), event.cycleId!])
  }
  return cycles
}

const slotOf = (cycleId: string) => Number(cycleId.slice(cycleId.lastIndexOf('-') + 1))

test('two watch controllers and two workers: each host converged once per interval, every cycle seen by both', async () => {
  await Promise.all(hosts.map((h) => h.sh('rm -f /root/queue-watch-log')))
  const first = controller()
  const metricsPort = await freePort()
  const second = controller('--metrics', `127.0.0.1:${metricsPort}`)
  // Both watching for three intervals (counted in cycles, not in time: startup is slow under load).
  await until(() => hosts.every((h) => (first.seen().get(h.name)?.length ?? 0) >= 3 && (second.seen().get(h.name)?.length ?? 0) >= 3))
  // Stopped one after the other: the schedule outlives the first, not the second.
  first.child.kill('SIGTERM')
  const a = await first.done
  const before = second.seen().get(hosts[0]!.name)?.length ?? 0
  await until(() => (second.seen().get(hosts[0]!.name)?.length ?? 0) > before)
  // The controller's metrics gain the queue's: job states, and cycles per worker.
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
  assert.match(metrics, /tend_queue_jobs\{state="completed"\} [1-9]/)
  assert.match(metrics, /tend_worker_host_cycles_total\{worker="w[12]",outcome="corrected"\} [1-9]/)
  second.child.kill('SIGTERM')
  const b = await second.done
  assert.equal(a.code, 0, a.stderr)
  assert.equal(b.code, 0, b.stderr)
  const seenA = cyclesOf(a.stdout)
  const seenB = cyclesOf(b.stdout)
  for (const host of hosts) {
    const mineA = seenA.get(host.name) ?? []
    const mineB = seenB.get(host.name) ?? []
    const cycles = [...new Set([...mineA, ...mineB])].sort((x, y) => slotOf(x) - slotOf(y))
    // One job per slot, one slot per interval: no slot twice, consecutive slots one interval apart.
    const slots = cycles.map(slotOf)
    for (let i = 1; i < slots.length; i++) assert.equal(slots[i]! - slots[i - 1]!, EVERY_MS, `${host.name}: ${slots.join(' ')}`)
    // While both watched, both saw (and recorded) every cycle.
    const firstOfB = slotOf(mineB[0]!)
    assert.deepEqual(mineA.filter((c) => slotOf(c) >= firstOfB), mineB.filter((c) => slotOf(c) <= slotOf(mineA.at(-1)!)))
    // Independently, on the host: exactly as many convergences as cycles.
    const lines = (await host.sh('cat /root/queue-watch-log')).stdout.trim().split('\n').filter(Boolean)
    assert.equal(lines.length, cycles.length, `${host.name}: ${lines.length} runs for ${cycles.length} cycles`)
  }
  assert.ok(workers.some((w) => /converging/.test(w.log())))
  // BullMQ keeps its job schedulers in the sorted set QUEUE:repeat.
  const schedulers = execFileSync('redis-cli', ['-p', String(redis.port), 'ZCARD', 'tend:tend-hosts:repeat'], { encoding: 'utf8' }).trim()
  assert.equal(schedulers, '0', 'the schedule outlived the last controller')
  const settled = (await hosts[0]!.sh('wc -l < /root/queue-watch-log')).stdout.trim()
  await new Promise((resolve) => setTimeout(resolve, EVERY_MS * 1.5))
  assert.equal((await hosts[0]!.sh('wc -l < /root/queue-watch-log')).stdout.trim(), settled, 'a host converged after every controller stopped')
})
