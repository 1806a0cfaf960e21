/**
 * Ctrl-C during a run: the change in hand finishes, nothing new starts, the recap is printed, exit
 * 130; a second Ctrl-C abandons the change in hand and says so.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { finished, LOCAL_INVENTORY, parseRecap, project, start } from './support.js'
import { eventsIn } from '../support/events.js'

/** Resolves once the task's command has begun (it touches `started` in the project dir first). */
async function commandStarted(dir: string): Promise<void> {
  while (!existsSync(join(dir, 'started'))) await new Promise((r) => setTimeout(r, 50))
}

const PLAYBOOK = `- name: long
  hosts: alpha
  tasks:
    - name: quick
      command: ["true"]
    - name: long sleep
      shell: "touch started; sleep 2"
    - name: never reached
      shell: touch never
`

test('SIGINT during a task lets it finish, starts nothing new, prints the recap and exits 130', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK })
  const child = start(['run', 'site.yaml'], dir)
  const done = finished(child)
  await commandStarted(dir)
  child.kill('SIGINT')
  const result = await done
  assert.equal(result.code, 130, result.stderr + result.stdout)
  assert.match(result.stderr, /SIGINT: finishing the change in hand/)
  assert.match(result.stdout, /PLAY RECAP/)
  assert.equal(parseRecap(result.stdout).alpha?.changed, 2, 'the quick task ran and the sleep finished')
  assert.match(result.stdout, /interrupted by SIGINT: this task's changes were finished/)
  assert.doesNotMatch(result.stdout, /never reached/)
  assert.doesNotMatch(result.stdout, /timed out/)
})

test('SIGINT under --json still ends the stream with recap and run-end 130', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK })
  const child = start(['run', 'site.yaml', '--json'], dir)
  const done = finished(child)
  await commandStarted(dir)
  child.kill('SIGINT')
  const result = await done
  assert.equal(result.code, 130)
  const events = eventsIn<{ type: string; task?: string; status?: string; exitCode?: number; interrupted?: boolean }>(result.stdout)
  assert.deepEqual(events.filter((e) => e.type === 'task-end').map((e) => [e.task, e.status]), [['quick', 'changed'], ['long sleep', 'changed']])
  assert.deepEqual(events.slice(-2).map((e) => e.type), ['recap', 'run-end'])
  assert.equal(events.at(-1)?.exitCode, 130)
  assert.equal(events.at(-1)?.interrupted, true)
})

test('SIGTERM stops a run like Ctrl-C: recap printed, exit 130', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK })
  const child = start(['run', 'site.yaml'], dir)
  const done = finished(child)
  await commandStarted(dir)
  child.kill('SIGTERM')
  const result = await done
  assert.equal(result.code, 130, result.stderr + result.stdout)
  assert.match(result.stdout, /PLAY RECAP/)
})

test('a second Ctrl-C abandons the change in hand, and the recap says what it left', async () => {
  const dir = await project({
    'inventory/local.yaml': LOCAL_INVENTORY,
    'site.yaml': `- name: stubborn\n  hosts: alpha\n  tasks:\n    - name: slow change\n      shell: "touch started; sleep 60"\n    - name: never reached\n      shell: touch never\n`,
  })
  const child = start(['run', 'site.yaml', '--json'], dir)
  const done = finished(child)
  await commandStarted(dir)
  child.kill('SIGINT')
  await new Promise((r) => setTimeout(r, 1000))
  assert.equal(child.exitCode, null, 'the first Ctrl-C waits for the change in hand')
  child.kill('SIGINT')
  const result = await done
  assert.equal(result.code, 130)
  assert.match(result.stderr, /SIGINT again: abandoning the change in hand/)
  const events = eventsIn<{ type: string; task?: string; status?: string; message?: string }>(result.stdout)
  const ends = events.filter((e) => e.type === 'task-end')
  assert.deepEqual(ends.map((e) => [e.task, e.status]), [['slow change', 'failed']])
  assert.match(ends[0]?.message ?? '', /^abandoned by a second SIGINT: cut off while applying/)
  assert.deepEqual(events.slice(-2).map((e) => e.type), ['recap', 'run-end'])
})

test('a command that ignores being stopped cannot hold tend after a second Ctrl-C', async () => {
  const dir = await project({
    'inventory/local.yaml': LOCAL_INVENTORY,
    // Ignored signals are inherited: the sleep survives the engine's attempt to stop it.
    'site.yaml': `- name: stubborn\n  hosts: alpha\n  tasks:\n    - name: ignores TERM\n      shell: "trap '' TERM INT; touch started; sleep 30.2468"\n`,
  })
  const child = start(['run', 'site.yaml', '--json'], dir)
  const done = finished(child)
  await commandStarted(dir)
  child.kill('SIGINT')
  await new Promise((r) => setTimeout(r, 500))
  child.kill('SIGINT')
  await new Promise((r) => setTimeout(r, 500))
  child.kill('SIGINT')
  const result = await done
  assert.equal(result.code, 130)
  assert.match(result.stderr, /exiting now/)
  // It ignores TERM: end it by pid.
  const stubborn = spawnSync('pgrep', ['-f', 'sleep 30.2468'], { encoding: 'utf8' })
  for (const pid of stubborn.stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL')
})
