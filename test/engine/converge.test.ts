import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { ExitCode } from '../../src/exit-codes.js'
import { linesOf, outline, perHost, run, scene, taskEnds } from './harness.js'

const marker = `
- hosts: all
  tasks:
    - name: make marker
      shell:
        cmd: "echo ran >> {{ dir }}/LOG && touch {{ dir }}/DONE"
        creates: "{{ dir }}/DONE"
`

test('a task guarded by creates changes once; a second run changes nothing', async () => {
  const at = await scene(['h1', 'h2'])
  const first = await run(at, marker)
  assert.deepEqual(perHost(first), { h1: ['make marker:changed'], h2: ['make marker:changed'] })
  assert.equal(first.summary.exitCode, ExitCode.ok)
  const second = await run(at, marker)
  assert.deepEqual(perHost(second), { h1: ['make marker:ok'], h2: ['make marker:ok'] })
  assert.equal(second.summary.recap.h1?.changed, 0)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['ran'])
})

test('--check reports the planned change as drift and changes nothing', async () => {
  const at = await scene(['h1'])
  const planned = await run(at, marker, { check: true })
  assert.equal(planned.summary.exitCode, ExitCode.driftFound)
  const [end] = taskEnds(planned)
  assert.equal(end?.status, 'changed')
  assert.match(end?.changes[0]?.summary ?? '', /echo ran >> .*LOG/)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), [])
  await run(at, marker)
  const converged = await run(at, marker, { check: true })
  assert.equal(converged.summary.exitCode, ExitCode.ok)
  assert.deepEqual(outline(converged), ['make marker@h1:ok'])
})

test('a failed task fails the host: its later tasks do not run, other hosts go on, exit 2', async () => {
  const at = await scene(['h1', 'h2'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: fails on h2
      command: [test, "{{ inventory_hostname }}", "!=", h2]
    - name: write
      shell: "echo written >> {{ dir }}/LOG"
`)
  assert.deepEqual(perHost(ran), { h1: ['fails on h2:changed', 'write:changed'], h2: ['fails on h2:failed'] })
  assert.match(taskEnds(ran, 'h2')[0]?.message ?? '', /non-zero exit 1/)
  assert.deepEqual(await linesOf(join(at.dirOf('h2'), 'LOG')), [])
  assert.equal(ran.summary.recap.h2?.failed, 1)
  assert.equal(ran.summary.exitCode, ExitCode.hostFailed)
})

test('a task past its timeout fails as timed out and its command is stopped', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: slow
      timeout: 1
      command: [sleep, "30.4321"]
`)
  // The run ended at the deadline with the command stopped, not left running or waited for.
  assert.equal(spawnSync('pgrep', ['-f', 'sleep 30.4321']).status, 1, 'the command still runs')
  const [end] = taskEnds(ran)
  assert.equal(end?.status, 'failed')
  assert.match(end?.message ?? '', /timed out after 1s/)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), [])
})

test('arguments that render to an invalid spec fail the task before anything runs', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  vars:
    program: 42
  tasks:
    - name: bad argv
      command:
        argv: "{{ program }}"
`)
  const [end] = taskEnds(ran)
  assert.equal(end?.status, 'failed')
  assert.match(end?.message ?? '', /playbook\.yaml:\d+:\d+/)
  assert.match(end?.message ?? '', /argv/)
})

test('variables: extra vars beat task vars beat play vars beat inventory vars; vars may refer to vars', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  vars:
    a: play
    b: play
    c: play
    path: "{{ dir }}/OUT"
  tasks:
    - name: write
      vars:
        b: task
        c: task
      shell: "echo {{ a }} {{ b }} {{ c }} {{ inventory_hostname }} >> {{ path }}"
`, { extraVars: { c: 'extra' } })
  assert.equal(ran.summary.exitCode, ExitCode.ok)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'OUT')), ['play task extra h1'])
})

test('--limit narrows every play; a host that failed in one play takes no part in the next', async () => {
  const at = await scene(['h1', 'h2', 'h3'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: fails on h2
      command: [test, "{{ inventory_hostname }}", "!=", h2]
- hosts: all
  tasks:
    - name: second play
      shell: "echo second >> {{ dir }}/LOG"
`, { limit: new Set(['h1', 'h2']) })
  assert.deepEqual(perHost(ran), { h1: ['fails on h2:changed', 'second play:changed'], h2: ['fails on h2:failed'] })
  const plays = ran.events.flatMap((e) => (e.type === 'play-start' ? [e.hosts] : []))
  assert.deepEqual(plays, [['h1', 'h2'], ['h1']])
  assert.equal(ran.summary.recap.h3, undefined)
})

test('a module without verify is verified by probing again; --diff puts before/after in the event', async () => {
  const at = await scene(['h1'])
  const playbook = `
- hosts: all
  tasks:
    - name: conf
      file: { path: "{{ dir }}/app.conf", content: "port = 8000\\n" }
`
  const planned = await run(at, playbook, { check: true, diff: true })
  assert.equal(taskEnds(planned)[0]?.changes[0]?.diff?.after, 'port = 8000\n')
  const plain = await run(at, playbook, { check: true })
  assert.equal(taskEnds(plain)[0]?.changes[0]?.diff, undefined, 'no diff without --diff')
  assert.deepEqual(perHost(await run(at, playbook)), { h1: ['conf:changed'] })
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'app.conf')), ['port = 8000'])
  assert.deepEqual(perHost(await run(at, playbook)), { h1: ['conf:ok'] })
})

test('an argument rendered to omit is left out of the spec', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: no guard
      shell:
        cmd: "echo ran >> {{ dir }}/LOG"
        creates: "{{ guard | default(omit) }}"
`)
  assert.deepEqual(perHost(ran), { h1: ['no guard:changed'] })
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['ran'])
})
