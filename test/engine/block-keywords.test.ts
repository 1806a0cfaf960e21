/**
 * Every keyword a block accepts is honoured by every task inside it (as Ansible's block keywords
 * are inherited); the others are rejected at validation (test/fixtures/broken/block-*).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv, project, tend, TEND } from '../cli/support.js'
import { linesOf, run, scene, taskEnds } from './harness.js'
import { eventsIn } from '../support/events.js'

const SECRET = 'hunter2-s3cret'
const NO_LOG_PLAY = `
- hosts: all
  vars:
    password: ${SECRET}
  tasks:
    - name: secret work
      no_log: true
      block:
        - name: uses the secret
          command: [echo, "{{ password }}"]
        - name: nested
          block:
            - name: fails with the secret
              command: [sh, -c, "echo {{ password }} >&2; exit 3"]
      rescue:
        - name: rescue quotes it
          command: [echo, "rescued {{ password }}"]
      always:
        - name: always quotes it
          command: [echo, "always {{ password }}"]
    - name: after the block
      command: [echo, visible]
`

async function localProject(playbook: string): Promise<{ dir: string; args: string[] }> {
  const dir = await project({ 'site.yaml': playbook })
  await writeFile(join(dir, 'local.yaml'), 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n')
  return { dir, args: ['run', 'site.yaml', '-i', 'local.yaml'] }
}

test('no_log on a block hides every task inside it (nested, rescue, always) in --json', async () => {
  const { dir, args } = await localProject(NO_LOG_PLAY)
  const run = await tend([...args, '--json'], dir)
  assert.equal(run.code, 0, run.stderr)
  assert.equal(run.stdout.includes(SECRET), false, run.stdout)
  const ends = eventsIn<{ type: string; task?: string; status?: string; result?: unknown; message?: string }>(run.stdout)
    .filter((e) => e.type === 'task-end')
  assert.deepEqual(ends.map((e) => `${e.task}:${e.status}`), [
    'uses the secret:changed', 'fails with the secret:rescued', 'rescue quotes it:changed', 'always quotes it:changed', 'after the block:changed',
  ])
  for (const e of ends.slice(0, 4)) {
    assert.equal(e.result, undefined)
    assert.equal(e.message, 'output hidden (no_log)')
  }
  assert.equal((ends[4]?.result as { stdout?: string }).stdout?.trim(), 'visible')
})

test('no_log on a block hides its tasks in the plain renderer and in the terminal (listr2) view', async () => {
  const { dir, args } = await localProject(NO_LOG_PLAY)
  const plain = await tend(args, dir)
  assert.equal(plain.code, 0, plain.stderr)
  assert.match(plain.stdout, /secret work|uses the secret/)
  assert.equal((plain.stdout + plain.stderr).includes(SECRET), false, plain.stdout)
  const hasScript = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).status === 0
  if (!hasScript) return
  const command = [process.execPath, TEND, ...args].map((w) => `'${w}'`).join(' ')
  const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, env: cleanEnv({ COLUMNS: '200' }), encoding: 'utf8' })
  assert.equal(tty.status, 0, tty.stdout)
  assert.match(tty.stdout, /uses the secret/)
  assert.equal(tty.stdout.includes(SECRET), false, tty.stdout)
})

test('timeout on a block is the deadline of each task inside it; a task\'s own timeout wins', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - timeout: 1
      ignore_errors: true
      block:
        - name: inherits
          command: [sleep, "30"]
        - name: own
          timeout: 20
          command: [sh, -c, "sleep 2; echo done >> {{ dir }}/LOG"]
`)
  const [inherits, own] = taskEnds(ran)
  assert.equal(inherits?.status, 'ignored')
  assert.match(inherits?.message ?? '', /timed out|deadline/)
  assert.equal(own?.status, 'changed', own?.message)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['done'])
})

test('ignore_errors, tags, when and vars on a block reach every task inside', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - ignore_errors: true
      tags: [inner]
      when: go == 'yes'
      vars: { go: 'yes', word: blocked }
      block:
        - command: [sh, -c, "exit 1"]
        - shell: "echo {{ word }} >> {{ dir }}/LOG"
    - when: go is defined
      tags: [inner]
      block:
        - shell: "echo leaked >> {{ dir }}/LOG"
    - tags: [other]
      block:
        - shell: "echo untagged >> {{ dir }}/LOG"
`, { tags: ['inner'] })
  assert.deepEqual(taskEnds(ran).map((e) => e.status), ['ignored', 'changed', 'skipped'])
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['blocked'])
})
