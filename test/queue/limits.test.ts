/**
 * Limits enforced by BullMQ across workers, on 3 test hosts: --max-hosts-in-flight 1 converges one
 * host at a time however many worker slots there are; --rate spaces host starts. Also: a run
 * waiting for workers shows in `tend queue status`, and a worker's metrics count its jobs.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { cleanEnv, finished, project, start, tend } from '../cli/support.js'
import { freePort } from '../support/redis.js'
import { leaseHosts, testbed, type TestHost } from '../support/testbed.js'
import { startWorker, testRedis, type TestWorker } from './support.js'

const hosts: TestHost[] = await leaseHosts(3)
const redis = await testRedis()
const dir = await project({
  'site.yaml': `- hosts: all
  tasks:
    - name: mark start and end
      shell: 'date +%s.%N > /root/q-start; sleep 1; date +%s.%N > /root/q-end'
`,
})
const args = (...extra: string[]) =>
  ['run', 'site.yaml', '-i', testbed().inventoryFile, '--limit', hosts.map((h) => h.name).join(','), '--queue', redis.url, ...extra]

/** Each host's [start, end] of the task, read over OpenSSH, sorted by start. */
async function intervals(): Promise<[number, number][]> {
  const read = async (h: TestHost) => (await h.sh('cat /root/q-start /root/q-end')).stdout.trim().split('\n').map(Number) as [number, number]
  return (await Promise.all(hosts.map(read))).sort((a, b) => a[0] - b[0])
}

const workers: TestWorker[] = []
let metricsPort = 0

test('a run waiting for workers shows in queue status; it proceeds once workers start', async () => {
  const child = start(args(), dir, cleanEnv())
  const run = finished(child)
  let status = { runs: [] as { runId: string; waiting: number }[] }
  while (status.runs.length === 0) {
    status = JSON.parse((await tend(['queue', 'status', '--queue', redis.url, '--json'], dir, cleanEnv())).stdout)
  }
  assert.equal(status.runs[0]?.waiting, 3)
  metricsPort = await freePort()
  workers.push(await startWorker(redis, 'w1', '--concurrency', '2', '--metrics', `127.0.0.1:${metricsPort}`))
  workers.push(await startWorker(redis, 'w2', '--concurrency', '2'))
  const result = await run
  assert.equal(result.code, 0, result.stdout + result.stderr)
  assert.match(result.stderr, /no worker is connected/)
})

test('--max-hosts-in-flight 1: one host at a time across two workers with two slots each', async () => {
  const result = await tend(args('--max-hosts-in-flight', '1'), dir, cleanEnv())
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const spans = await intervals()
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0] >= spans[i - 1]![1], `hosts overlapped: ${JSON.stringify(spans)}`)
  const status = JSON.parse((await tend(['queue', 'status', '--queue', redis.url, '--json'], dir, cleanEnv())).stdout)
  assert.equal(status.maxHostsInFlight, null, 'the limit outlived its run')
})

test('--rate 0.5: host convergences start about two seconds apart', async () => {
  const result = await tend(args('--rate', '0.5'), dir, cleanEnv())
  assert.equal(result.code, 0, result.stdout + result.stderr)
  const spans = await intervals()
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i]![0] - spans[i - 1]![0] >= 1.2, `starts too close: ${JSON.stringify(spans)}`)
})

test('the worker\'s metrics count its jobs and the queue\'s job states', async () => {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text()
  const jobs = Number(/tend_worker_jobs_total\{worker="w1",result="ok"\} (\d+)/.exec(text)?.[1] ?? 0)
  assert.ok(jobs >= 1, text)
  assert.match(text, /tend_queue_jobs\{state="completed"\} ([1-9]\d*)/)
  assert.match(text, /tend_queue_jobs\{state="waiting"\} 0/)
  assert.match(text, /tend_worker_jobs_active\{worker="w1"\} 0/)
})
