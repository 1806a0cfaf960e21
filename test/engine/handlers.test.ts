import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { ExitCode } from '../../src/exit-codes.js'
import { linesOf, outline, run, scene } from './harness.js'

test('handlers run once each, in definition order, only on hosts that notified them', async () => {
  const at = await scene(['h1', 'h2', 'h3'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: first change
      shell: "true"
      when: inventory_hostname != 'h3'
      notify: [second, first]
    - name: second change
      shell: "true"
      when: inventory_hostname != 'h3'
      notify: first
    - name: unchanged
      shell: { cmd: "true", creates: / }
      notify: third
    - name: topic
      shell: "true"
      when: inventory_hostname == 'h1'
      notify: restart things
  handlers:
    - name: first
      shell: "echo first >> {{ dir }}/H"
    - name: second
      shell: "echo second >> {{ dir }}/H"
    - name: third
      shell: "echo third >> {{ dir }}/H"
    - name: listener
      listen: restart things
      shell: "echo listener >> {{ dir }}/H"
`)
  assert.equal(ran.summary.exitCode, ExitCode.ok)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'H')), ['first', 'second', 'listener'])
  assert.deepEqual(await linesOf(join(at.dirOf('h2'), 'H')), ['first', 'second'])
  assert.deepEqual(await linesOf(join(at.dirOf('h3'), 'H')), [])
  const handlerEnds = ran.events.filter((e) => e.type === 'task-end' && e.handler)
  assert.equal(handlerEnds.length, 5)
})

const failingLater = (force: boolean) => `
- hosts: all
  force_handlers: ${force}
  tasks:
    - name: change
      shell: "true"
      notify: note
    - name: fails on h2
      command: [test, "{{ inventory_hostname }}", "!=", h2]
  handlers:
    - name: note
      shell: "echo handled >> {{ dir }}/H"
`

test('a host that fails after notifying runs no handlers, unless force_handlers', async () => {
  const at = await scene(['h1', 'h2'])
  const plain = await run(at, failingLater(false))
  assert.equal(plain.summary.exitCode, ExitCode.hostFailed)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'H')), ['handled'])
  assert.deepEqual(await linesOf(join(at.dirOf('h2'), 'H')), [])
  const forced = await run(at, failingLater(true))
  assert.ok(outline(forced).includes('note@h2:changed'))
  assert.deepEqual(await linesOf(join(at.dirOf('h2'), 'H')), ['handled'])
  assert.equal(forced.summary.recap.h2?.failed, 1)
})

test('under --check a notified handler is planned, not run; a command notifies nothing (it is skipped)', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: change
      file: { path: "{{ dir }}/F", content: "x\\n" }
      notify: note
    - name: command
      shell: "true"
      notify: other
  handlers:
    - name: note
      file: { path: "{{ dir }}/H", content: "handled\\n" }
    - name: other
      shell: "echo other >> {{ dir }}/O"
`, { check: true })
  assert.deepEqual(outline(ran), ['change@h1:changed', 'command@h1:skipped', 'note@h1:changed'])
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'H')), [])
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'O')), [])
})
