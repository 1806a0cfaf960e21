import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { ExitCode } from '../../src/exit-codes.js'
import { linesOf, outline, perHost, run, scene, taskEnds } from './harness.js'

test('when false skips the task on that host', async () => {
  const at = await scene(['h1', 'h2'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: only h1
      shell: "echo x >> {{ dir }}/LOG"
      when: inventory_hostname == 'h1'
`)
  assert.deepEqual(perHost(ran), { h1: ['only h1:changed'], h2: ['only h1:skipped'] })
  assert.deepEqual(await linesOf(join(at.dirOf('h2'), 'LOG')), [])
  assert.equal(ran.summary.recap.h2?.skipped, 1)
})

test('a registered result drives a later when', async () => {
  const at = await scene(['h1', 'h2'])
  await writeFile(join(at.dirOf('h1'), 'FLAG'), 'yes\n')
  await writeFile(join(at.dirOf('h2'), 'FLAG'), 'no\n')
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: read flag
      command: [cat, "{{ dir }}/FLAG"]
      register: flag
      changed_when: false
    - name: act on yes
      shell: "echo acted >> {{ dir }}/LOG"
      when: "'yes' in flag.stdout and flag.rc == 0"
`)
  assert.deepEqual(perHost(ran), { h1: ['read flag:ok', 'act on yes:changed'], h2: ['read flag:ok', 'act on yes:skipped'] })
  assert.equal(taskEnds(ran, 'h1')[0]?.result?.stdout, 'yes\n')
})

test('until re-runs the task until it holds, up to retries', async () => {
  const at = await scene(['h1', 'h2'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: third time lucky
      shell: "echo . >> {{ dir }}/COUNT; test $(wc -l < {{ dir }}/COUNT) -ge {{ 3 if inventory_hostname == 'h1' else 9 }}"
      register: r
      until: r.rc == 0
      retries: 4
      delay: 0
`)
  const [h1, h2] = [taskEnds(ran, 'h1')[0], taskEnds(ran, 'h2')[0]]
  assert.equal(h1?.status, 'changed')
  assert.equal(h1?.result?.attempts, 3)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'COUNT')), ['.', '.', '.'])
  assert.equal(h2?.status, 'failed')
  assert.match(h2?.message ?? '', /still false after 5 attempt/)
  assert.equal((await linesOf(join(at.dirOf('h2'), 'COUNT'))).length, 5)
})

test('failed_when and changed_when override the module verdict', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: exit 1 is fine
      shell: "exit 1"
      register: r
      failed_when: r.rc not in [0, 1]
    - name: output says failed
      shell: "echo ERROR"
      register: out
      failed_when: "'ERROR' in out.stdout"
      ignore_errors: true
    - name: read only
      shell: "echo hi"
      changed_when: false
`)
  assert.deepEqual(outline(ran), ['exit 1 is fine@h1:changed', 'output says failed@h1:ignored', 'read only@h1:ok'])
})

test('ignore_errors: the failure is counted ignored and the host goes on', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: fails
      shell: "exit 3"
      ignore_errors: true
    - name: next
      shell: "echo next >> {{ dir }}/LOG"
`)
  assert.deepEqual(outline(ran), ['fails@h1:ignored', 'next@h1:changed'])
  assert.equal(ran.summary.recap.h1?.ignored, 1)
  assert.equal(ran.summary.recap.h1?.failed, 0)
  assert.equal(ran.summary.exitCode, ExitCode.ok)
})

test('no_log hides the task result and output from every event', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: secret
      shell: "echo s3cret-token; exit 1"
      no_log: true
      register: hidden
      ignore_errors: true
    - name: uses it
      shell: "test {{ hidden.rc }} = 1"
`)
  const [secret, next] = taskEnds(ran)
  assert.equal(secret?.result, undefined)
  assert.equal(secret?.message, 'output hidden (no_log)')
  assert.equal(secret?.status, 'ignored')
  assert.doesNotMatch(JSON.stringify(ran.events), /s3cret/)
  assert.equal(next?.status, 'changed', 'the registered value is still usable')
})

test('magic variables: hostvars, groups, play_hosts and ansible_check_mode are defined', async () => {
  const at = await scene(['h1', 'h2'])
  await run(at, `
- hosts: all
  tasks:
    - name: peek
      shell: "echo {{ hostvars['h2'].dir | basename }} {{ groups['all'] | join(',') }} {{ play_hosts | length }} {{ ansible_check_mode }} >> {{ dir }}/OUT"
`)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'OUT')), ['h2 h1,h2 2 False'])
})
