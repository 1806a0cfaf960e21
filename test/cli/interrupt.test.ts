/** Ctrl-C during a run: the running command is stopped, the recap is printed, exit 130. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { finished, LOCAL_INVENTORY, parseRecap, project, start, waitForOutput } from './support.js'

const PLAYBOOK = `- name: long
  hosts: alpha
  tasks:
    - name: quick
      command: ["true"]
    - name: long sleep
      command: [sleep, "60.1357"]
    - name: never reached
      shell: touch never
`

test('SIGINT during a long task prints the recap and exits 130 (plain output)', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK })
  const child = start(['run', 'site.yaml'], dir)
  const done = finished(child)
  await waitForOutput(child, '[alpha] quick')
  await new Promise((r) => setTimeout(r, 500)) // the sleep has started
  child.kill('SIGINT')
  const result = await done
  assert.equal(result.code, 130, result.stderr + result.stdout)
  assert.equal(spawnSync('pgrep', ['-f', 'sleep 60.1357']).status, 1, 'the sleep must be stopped, not waited for')
  assert.match(result.stdout, /PLAY RECAP/)
  assert.equal(parseRecap(result.stdout).alpha?.changed, 1, 'the quick task ran')
  assert.doesNotMatch(result.stdout, /never reached/)
})

test('SIGINT under --json still ends the stream with recap and run-end 130', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK })
  const child = start(['run', 'site.yaml', '--json'], dir)
  const done = finished(child)
  await waitForOutput(child, '"task":"long sleep"')
  await new Promise((r) => setTimeout(r, 300))
  child.kill('SIGINT')
  const result = await done
  assert.equal(result.code, 130)
  const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; exitCode?: number; interrupted?: boolean })
  assert.deepEqual(events.slice(-2).map((e) => e.type), ['recap', 'run-end'])
  assert.equal(events.at(-1)?.exitCode, 130)
  assert.equal(events.at(-1)?.interrupted, true)
})

test('SIGTERM stops a run like Ctrl-C: recap printed, exit 130', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK })
  const child = start(['run', 'site.yaml'], dir)
  const done = finished(child)
  await waitForOutput(child, '[alpha] quick')
  await new Promise((r) => setTimeout(r, 500))
  child.kill('SIGTERM')
  const result = await done
  assert.equal(result.code, 130, result.stderr + result.stdout)
  assert.match(result.stdout, /PLAY RECAP/)
})

test('a second Ctrl-C exits at once even when the running command ignores the stop', async () => {
  const dir = await project({
    'inventory/local.yaml': LOCAL_INVENTORY,
    // Ignored signals are inherited: the sleep survives the engine's attempt to stop it.
    'site.yaml': `- name: stubborn\n  hosts: alpha\n  tasks:\n    - name: ignores TERM\n      shell: "trap '' TERM INT; sleep 8.2468"\n`,
  })
  const child = start(['run', 'site.yaml', '--json'], dir)
  const done = finished(child)
  await waitForOutput(child, '"task":"ignores TERM"')
  await new Promise((r) => setTimeout(r, 500))
  child.kill('SIGINT')
  await new Promise((r) => setTimeout(r, 1000))
  assert.equal(child.exitCode, null, 'the first Ctrl-C waits for running work')
  child.kill('SIGINT')
  const result = await done
  assert.equal(result.code, 130)
  // tend is gone while the stubborn command still runs: the second Ctrl-C did not wait for it.
  const stubborn = spawnSync('pgrep', ['-f', 'sleep 8.2468'], { encoding: 'utf8' })
  assert.equal(stubborn.status, 0, 'the second Ctrl-C does not wait')
  for (const pid of stubborn.stdout.split('\n').filter(Boolean)) process.kill(Number(pid), 'SIGKILL') // it ignores TERM
  assert.match(result.stderr, /again, exiting now/)
})
