/** Ctrl-C during a run: the running command is stopped, the recap is printed, exit 130. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { finished, LOCAL_INVENTORY, parseRecap, project, start, waitForOutput } from './support.js'

const PLAYBOOK = `- name: long
  hosts: alpha
  tasks:
    - name: quick
      command: ["true"]
    - name: long sleep
      command: [sleep, "60"]
    - name: never reached
      shell: touch never
`

test('SIGINT during a long task prints the recap and exits 130 (plain output)', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK })
  const child = start(['run', 'site.yaml'], dir)
  const done = finished(child)
  await waitForOutput(child, '[alpha] quick')
  await new Promise((r) => setTimeout(r, 500)) // the sleep has started
  const sentAt = Date.now()
  child.kill('SIGINT')
  const result = await done
  assert.equal(result.code, 130, result.stderr + result.stdout)
  assert.ok(Date.now() - sentAt < 20_000, 'the sleep must be stopped, not waited for')
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
