/**
 * `tend run --queue` against real Redis and real `tend worker` processes, hosts reached with the
 * local transport: the recap, events and exit codes are those of a local run; template sources
 * travel with the job; no_log values never reach Redis; unusable playbooks and Redis are refused clearly.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { LOCAL_INVENTORY, cleanEnv, parseRecap, project, tend } from '../cli/support.js'
import { freePort } from '../support/redis.js'
import type { TestRedis } from '../support/redis.js'
import { startWorker, testRedis } from './support.js'
import { eventsIn } from '../support/events.js'


const PLAYBOOK = `- hosts: all
  tasks:
    - name: greet
      shell: echo "hi {{ inventory_hostname }}"
      register: greeting
    - name: read the secret
      shell: cat {{ out }}/secret
      register: secret
      no_log: true
    - name: render
      template: { src: templates/motd.j2, dest: "{{ out }}/motd-{{ inventory_hostname }}" }
    - name: use earlier results
      shell: echo "{{ greeting.stdout }} / {{ secret.stdout | length }}"
    - name: gamma fails
      shell: test "{{ inventory_hostname }}" != gamma
`

// Top level, not in before(): after() hooks registered here end Redis and the workers with the file.
const redis: TestRedis = await testRedis()
const dir = await project({
    'site.yaml': PLAYBOOK,
    'inventory.yaml': LOCAL_INVENTORY,
    'templates/motd.j2': 'welcome to {{ inventory_hostname }}\n',
  'out/secret': 'sw0rdfish-4711\n',
})
await startWorker(redis, 'w1')
await startWorker(redis, 'w2')

/** Back to the state before any run: no rendered files (every run then makes the same changes). */
function fresh(root = dir): void {
  for (const host of ['alpha', 'beta', 'gamma']) rmSync(join(root, 'out', `motd-${host}`), { force: true })
}

const runArgs = (...extra: string[]) => ['run', 'site.yaml', '-i', 'inventory.yaml', '-e', `out=${join(dir, 'out')}`, ...extra]

/** task-end events as comparable rows (durations differ, order across hosts may). */
function taskRows(events: readonly EngineEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'task-end' ? [JSON.stringify({ ...e, durationMs: 0 })] : [])).sort()
}

test('a queued run prints the recap, events and exit code of a local run, with template sources carried to the workers', async () => {
  fresh()
  const queued = await tend(runArgs('--queue', redis.url), dir, cleanEnv())
  fresh()
  const local = await tend(runArgs(), dir, cleanEnv())
  assert.equal(queued.code, 2, queued.stdout + queued.stderr)
  assert.equal(local.code, 2, local.stdout + local.stderr)
  assert.deepEqual(parseRecap(queued.stdout), parseRecap(local.stdout))
  assert.equal(readFileSync(join(dir, 'out', 'motd-alpha'), 'utf8'), 'welcome to alpha\n')
  fresh()
  const queuedJson = eventsIn((await tend(runArgs('--queue', redis.url, '--json'), dir, cleanEnv())).stdout)
  fresh()
  const localJson = eventsIn((await tend(runArgs('--json'), dir, cleanEnv())).stdout)
  assert.deepEqual(taskRows(queuedJson), taskRows(localJson))
  const recap = (events: EngineEvent[]) => events.find((e) => e.type === 'recap')
  assert.deepEqual(recap(queuedJson), recap(localJson))
  assert.deepEqual(queuedJson.map((e) => e.type).filter((t) => !t.startsWith('task')), localJson.map((e) => e.type).filter((t) => !t.startsWith('task')))
})

test('a no_log task\'s output never reaches Redis, and job ids carry no colon', async () => {
  const run = await tend(runArgs('--queue', redis.url, '--json'), dir, cleanEnv())
  assert.equal(run.code, 2, run.stderr)
  assert.doesNotMatch(run.stdout, /sw0rdfish/)
  // Everything Redis holds, read independently: a dump without compression.
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(redis.port), ...args], { encoding: 'utf8' })
  cli('CONFIG', 'SET', 'rdbcompression', 'no')
  cli('SAVE')
  const dump = readFileSync(join(redis.dir, 'dump.rdb'))
  assert.ok(dump.includes('hi alpha'), 'the dump holds the job results')
  assert.equal(dump.includes('sw0rdfish'), false, 'no_log output found in Redis')
  const keys = cli('--scan', '--pattern', 'tend:tend-hosts:2*').trim().split('\n')
  assert.ok(keys.length >= 3)
  for (const key of keys) assert.match(key, /^tend:tend-hosts:\d{8}-\d{6}-[0-9a-f]{4}\.[0-9a-f]{4}\.\d+\.\d+$/)
})

test('serial batches and max_fail_percentage act between batches as in a local run', async () => {
  const serial = PLAYBOOK.replace('- hosts: all\n', '- hosts: all\n  serial: 1\n  max_fail_percentage: 0\n').replace('!= gamma', '!= alpha')
  const sub = await project({ 'site.yaml': serial, 'inventory.yaml': LOCAL_INVENTORY, 'templates/motd.j2': 'x\n', 'out/secret': 's\n' })
  const args = ['run', 'site.yaml', '-i', 'inventory.yaml', '-e', `out=${join(sub, 'out')}`]
  const queued = await tend([...args, '--queue', redis.url], sub, cleanEnv())
  fresh(sub)
  const local = await tend(args, sub, cleanEnv())
  assert.equal(queued.code, 2)
  assert.deepEqual(parseRecap(queued.stdout), parseRecap(local.stdout))
  assert.deepEqual(Object.keys(parseRecap(queued.stdout)).filter((h) => parseRecap(queued.stdout)[h]!.ok! + parseRecap(queued.stdout)[h]!.changed! > 0), ['alpha'])
})

test('a template src that depends on variables is refused before any host is touched', async () => {
  const sub = await project({
    'site.yaml': `- hosts: all\n  tasks:\n    - template: { src: "{{ name }}.j2", dest: /tmp/x }\n`,
    'inventory.yaml': LOCAL_INVENTORY,
  })
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '-e', 'name=a', '--queue', redis.url], sub, cleanEnv())
  assert.equal(run.code, 5)
  assert.match(run.stderr, /site\.yaml:3:\d+: template src "\{\{ name \}\}\.j2" depends on variables/)
})

test('run_once is refused with --queue at its file:line:column (workers would each run it), and nothing runs', async () => {
  const sub = await project({
    'site.yaml': `- hosts: all\n  tasks:\n    - shell: touch {{ playbook_dir }}/ran-first\n    - name: migrate\n      shell: touch {{ playbook_dir }}/migrated\n      run_once: true\n`,
    'inventory.yaml': LOCAL_INVENTORY,
  })
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--queue', redis.url], sub, cleanEnv())
  assert.equal(run.code, 5, run.stdout + run.stderr)
  assert.match(run.stderr, /site\.yaml:4:\d+: task "migrate": run_once .*with --queue/)
  assert.match(run.stderr, /without --queue/)
  assert.equal(existsSync(join(sub, 'ran-first')), false, 'refused before any host is touched')
  assert.equal(existsSync(join(sub, 'migrated')), false)
})

test('an include_tasks of a file named by a variable is refused with --queue, at its file:line:column', async () => {
  const sub = await project({
    'site.yaml': `- hosts: all\n  tasks:\n    - include_tasks: "{{ which }}.yml"\n`,
    'a.yml': `- shell: echo a\n`,
    'inventory.yaml': LOCAL_INVENTORY,
  })
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '-e', 'which=a', '--queue', redis.url], sub, cleanEnv())
  assert.equal(run.code, 5, run.stdout + run.stderr)
  assert.match(run.stderr, /site\.yaml:3:\d+: .*file named by a variable/)
})

test('Redis unreachable at the start: a clear error naming the URL without its password, no stack, exit 8', async () => {
  fresh()
  const port = await freePort()
  const run = await tend(runArgs('--queue', `redis://tend:hunter2@127.0.0.1:${port}`), dir, cleanEnv())
  assert.equal(run.code, 8, run.stderr)
  assert.match(run.stderr, new RegExp(`cannot reach Redis at redis://tend:\\*\\*\\*@127\\.0\\.0\\.1:${port}`))
  assert.doesNotMatch(run.stderr + run.stdout, /hunter2|\n\s+at /)
  assert.equal(existsSync(join(dir, 'out', 'motd-alpha')), false, 'a host was touched')
})

test('tend watch --queue with Redis unreachable: the same clear error, exit 8', async () => {
  const port = await freePort()
  const run = await tend(['watch', 'site.yaml', '-i', 'inventory.yaml', '-e', `out=${join(dir, 'out')}`, '--every', '5s', '--queue', `redis://127.0.0.1:${port}`], dir, cleanEnv())
  assert.equal(run.code, 8, run.stdout + run.stderr)
  assert.match(run.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/)
})

test('--max-hosts-in-flight and --rate without --queue are refused', async () => {
  const run = await tend(runArgs('--rate', '2'), dir, cleanEnv())
  assert.equal(run.code, 5)
  assert.match(run.stderr, /--queue/)
})

test('tend queue status shows the workers by name', async () => {
  const status = await tend(['queue', 'status', '--queue', redis.url, '--json'], dir, cleanEnv())
  assert.equal(status.code, 0, status.stderr)
  const parsed = JSON.parse(status.stdout) as { workers: { name: string }[]; jobs: Record<string, number> }
  assert.deepEqual(parsed.workers.map((w) => w.name).sort(), ['w1', 'w2'])
  assert.ok((parsed.jobs.completed ?? 0) >= 3)
})
