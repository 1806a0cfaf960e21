/**
 * Ansible's task syntax when it runs (local transport, one directory per host): k=v arguments,
 * free-form commands with creates=, symbolic modes, local_action, and templated typed fields
 * decided per host once rendered. Converging twice: changed, then ok.
 */
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { linesOf, perHost, run, scene, taskEnds } from './harness.js'

const modeOf = (file: string): string => (statSync(file).mode & 0o7777).toString(8)

test('k=v copy, free-form command with creates=, symbolic mode and a templated state: changed once, then ok', async () => {
  const at = await scene(['h1'])
  await writeFile(join(at.root, 'motd'), 'welcome\n')
  const dir = at.dirOf('h1')
  await writeFile(join(dir, 'old'), 'x\n', { mode: 0o600 })
  await writeFile(join(dir, 'stale'), 'x\n')
  const playbook = `- hosts: all
  vars: { gone: absent }
  tasks:
    - name: copy
      copy: src=motd dest={{ dir }}/motd mode=0640
    - name: count
      command: sh -c "echo run >> {{ dir }}/runs; touch {{ dir }}/done" creates={{ dir }}/done
    - name: symbolic
      ansible.builtin.file: path={{ dir }}/old mode=u=rw,g=r,o=r
    - name: remove
      file: { dest: "{{ dir }}/stale", state: "{{ gone }}" }
    - name: shell
      shell: echo "a b" > {{ dir }}/shell chdir={{ dir }} creates={{ dir }}/shell
`
  const first = await run(at, playbook)
  assert.deepEqual(perHost(first), { h1: ['copy:changed', 'count:changed', 'symbolic:changed', 'remove:changed', 'shell:changed'] })
  assert.equal(modeOf(join(dir, 'motd')), '640')
  assert.equal(modeOf(join(dir, 'old')), '644')
  assert.deepEqual(await linesOf(join(dir, 'motd')), ['welcome'])
  assert.deepEqual(await linesOf(join(dir, 'shell')), ['a b'])
  const second = await run(at, playbook)
  assert.deepEqual(perHost(second), { h1: ['copy:ok', 'count:ok', 'symbolic:ok', 'remove:ok', 'shell:ok'] })
  // creates= was taken out of the command line: the program never saw it, and ran once.
  assert.deepEqual(await linesOf(join(dir, 'runs')), ['run'])
})

test('a symbolic mode is applied to the file\'s current mode, and to a new file\'s', async () => {
  const at = await scene(['h1'])
  const dir = at.dirOf('h1')
  await writeFile(join(dir, 'script'), '#!/bin/sh\n', { mode: 0o640 })
  const ran = await run(at, `- hosts: all
  tasks:
    - name: executable
      file: { path: "{{ dir }}/script", mode: "u+x,g+x" }
    - name: new
      copy: { content: "n\\n", dest: "{{ dir }}/new", mode: "u=rw,go=r" }
`)
  assert.deepEqual(perHost(ran), { h1: ['executable:changed', 'new:changed'] })
  assert.equal(modeOf(join(dir, 'script')), '750')
  assert.equal(modeOf(join(dir, 'new')), '644')
  assert.match(taskEnds(ran)[0]!.changes[0]!.summary, /mode 0640 → 0750/)
})

test('templated typed fields are typed once rendered: ignore_errors, become, set_fact names; a wrong type fails that task clearly', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `- hosts: all
  vars: { lenient: "yes", strict: false, name_of: greeting }
  tasks:
    - name: tolerated
      command: "false"
      ignore_errors: "{{ lenient }}"
    - name: named
      set_fact:
        "{{ name_of }}": hello
    - name: shown
      debug: msg="{{ greeting }}"
      become: "{{ strict }}"
    - name: bad state
      file: { path: "{{ dir }}/f", state: "{{ 'sideways' }}" }
      ignore_errors: true
    - name: bad flag
      command: "false"
      ignore_errors: "{{ 'perhaps' }}"
`)
  const ends = taskEnds(ran)
  assert.deepEqual(perHost(ran), { h1: ['tolerated:ignored', 'named:ok', 'shown:ok', 'bad state:ignored', 'bad flag:failed'] })
  assert.equal(ends[2]!.message, 'hello')
  assert.match(ends[3]!.message ?? '', /file state `sideways` is not one tend has.*\(after rendering\)/)
  assert.match(ends[4]!.message ?? '', /`ignore_errors: \{\{ 'perhaps' \}\}` rendered to "perhaps", which is not a boolean/)
})

test('local_action runs on localhost with the host\'s variables; action: is the module it names', async () => {
  const at = await scene(['h1', 'h2'])
  const ran = await run(at, `- hosts: all
  tasks:
    - name: on the controller
      local_action: command touch {{ dir }}/from-local creates={{ dir }}/from-local
    - name: old form
      action: copy content="{{ inventory_hostname }}\\n" dest={{ dir }}/who
`)
  assert.deepEqual(perHost(ran), { h1: ['on the controller:changed', 'old form:changed'], h2: ['on the controller:changed', 'old form:changed'] })
  assert.deepEqual(await linesOf(join(at.dirOf('h2'), 'who')), ['h2'])
  assert.equal(statSync(join(at.dirOf('h1'), 'from-local')).isFile(), true)
})
