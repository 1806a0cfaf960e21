/**
 * A worker that dies mid-change (SIGKILL), through real Redis and real workers (local transport):
 * the controller names it live and says what the lost attempt changed, another worker retries the
 * host, and no job of the run ever runs again after the run ended (the run's fence). With no
 * worker left, the controller says so, gives up after --worker-wait (exit 8, resumable) and
 * honours Ctrl-C at once.
 */
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from 'node:test'
import { cleanEnv, finished, project, start } from '../cli/support.js'
import { STALL_SECONDS, startWorker, testRedis } from './support.js'

const PLAYBOOK = `- hosts: all
  tasks:
    - name: first change
      file: { path: "{{ out }}/first-{{ inventory_hostname }}", content: "x" }
    - name: slow change
      shell: touch {{ out }}/started-{{ inventory_hostname }}-$$ && sleep 5
    - name: last change
      shell: touch {{ out }}/last-{{ inventory_hostname }}-$$
`
const INVENTORY = 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n'

const redis = await testRedis()

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`)
    await sleep(50)
  }
}

async function freshProject() {
  const dir = await project({ 'site.yaml': PLAYBOOK, 'inventory.yaml': INVENTORY, 'out/.keep': '' })
  const out = join(dir, 'out')
  const files = (prefix: string) => readdirSync(out).filter((f) => f.startsWith(prefix))
  const run = (...extra: string[]) => start(['run', 'site.yaml', '-i', 'inventory.yaml', '-e', `out=${out}`, '--queue', redis.url, '--state-dir', join(dir, 'state'), ...extra], dir, cleanEnv())
  return { dir, out, files, run }
}

test('a worker killed mid-change is named live, what it changed is said, another worker retries, and 2 minutes after the run nothing ran again', async () => {
  const p = await freshProject()
  const w1 = await startWorker(redis, 'lost-w1')
  const controller = p.run()
  let stdout = ''
  controller.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  const done = finished(controller)
  await until('the slow change started', () => p.files('started-alpha').length === 1)
  // Its report of the first change has reached Redis.
  await sleep(500)
  w1.child.kill('SIGKILL')
  assert.equal(await w1.exit, 'SIGKILL')
  const w2 = await startWorker(redis, 'lost-w2')
  const run = await done
  const said = run.stdout + run.stderr
  assert.equal(run.code, 0, said)
  assert.match(said, /worker lost-w1 lost while converging alpha: it had changed: first change \(.*\); it may have changed something more: it was running "slow change"/)
  assert.match(said, /worker lost-w1 lost; host alpha retried on worker lost-w2/)
  assert.equal(p.files('started-alpha').length, 2, 'the lost attempt and the retry')
  assert.equal(p.files('last-alpha').length, 1)
  // The controller learnt of the loss within the stall interval (plus the retry's own work).
  assert.match(w2.log(), /converging alpha \(run \S+, attempt 2\)/)
  // Two minutes on, with a worker taking jobs: nothing of the run ran again.
  await sleep(120_000)
  assert.equal(p.files('started-alpha').length, 2, 'a job of the ended run ran again')
  assert.equal(p.files('last-alpha').length, 1, 'a job of the ended run ran again')
  assert.doesNotMatch(w2.log().split('\n').slice(-20).join('\n'), /converging alpha \(run \S+, attempt 3\)/)
  w2.child.kill('SIGTERM')
  await w2.exit
})

test('no worker left: the controller says so, gives up after --worker-wait (exit 8, resumable); Ctrl-C is honoured at once', async () => {
  const p = await freshProject()
  const w1 = await startWorker(redis, 'gone-w1')
  const run = finished(p.run('--worker-wait', '3s'))
  await until('the slow change started', () => p.files('started-alpha').length === 1)
  w1.child.kill('SIGKILL')
  await w1.exit
  const started = Date.now()
  const ended = await run
  assert.equal(ended.code, 8, ended.stdout + ended.stderr)
  assert.match(ended.stdout + ended.stderr, /no tend worker is connected to redis:\/\/127\.0\.0\.1:\d+: 1 host\(s\) wait; giving up in 3s/)
  assert.match(ended.stderr, /no tend worker connected .* for 3s \(--worker-wait\)/)
  assert.match(ended.stderr, /tend resume \S+/)
  // Gave up after the wait, not after minutes (the bound is the test's, generous for a loaded machine).
  assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`)

  const p2 = await freshProject()
  const w2 = await startWorker(redis, 'gone-w2')
  const controller = p2.run()
  const second = finished(controller)
  await until('the slow change started', () => p2.files('started-alpha').length === 1)
  w2.child.kill('SIGKILL')
  await w2.exit
  await sleep(STALL_SECONDS * 1000)
  const interrupted = Date.now()
  controller.kill('SIGINT')
  const stopped = await second
  assert.equal(stopped.code, 130, stopped.stdout + stopped.stderr)
  assert.ok(Date.now() - interrupted < 15_000, `Ctrl-C took ${Date.now() - interrupted} ms`)
})
