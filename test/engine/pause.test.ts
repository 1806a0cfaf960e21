/**
 * `pause` as Ansible's for a timed wait (seconds or minutes, registered as Ansible registers it);
 * a prompt is refused with what to do instead, and Ctrl-C cuts a pause short.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { perHost, run, scene, taskEnds } from './harness.js'

test('pause waits its seconds, registers Ansible\'s keys, and a prompt is refused with a way out', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: settle
      pause: seconds=1
      register: waited
    - name: ask
      pause: { prompt: "Continue?" }
      ignore_errors: true
`)
  assert.deepEqual(perHost(ran), { h1: ['settle:ok', 'ask:ignored'] })
  const [settle, ask] = taskEnds(ran, 'h1')
  assert.equal(settle?.result?.stdout, 'Paused for 1 seconds')
  assert.equal(settle?.result?.rc, 0)
  // The pause's own measure of its wait (a lower bound tend sets, not a speed).
  assert.ok(Number(settle?.result?.delta) >= 1, JSON.stringify(settle?.result))
  assert.match(ask?.message ?? '', /prompt.*not in tend.*-e/)
})

test('Ctrl-C cuts a pause short', async () => {
  const at = await scene(['h1'])
  const interrupt = new AbortController()
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: long
      pause: { minutes: 10 }
`, { signal: interrupt.signal, onEvent: (e) => { if (e.type === 'task-start') setTimeout(() => interrupt.abort(), 200) } })
  const [long] = taskEnds(ran, 'h1')
  assert.equal(long?.status, 'failed')
  assert.match(long?.message ?? '', /pause cut short/)
  assert.ok(Number(long?.result?.delta) < 600, `ten minutes were not waited: ${JSON.stringify(long?.result)}`)
})
