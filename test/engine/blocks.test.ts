import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { ExitCode } from '../../src/exit-codes.js'
import { linesOf, run, scene } from './harness.js'

test('a failure in block runs rescue, then always; the host counts rescued and goes on', async () => {
  const at = await scene(['h1', 'h2'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - block:
        - shell: "echo block >> {{ dir }}/LOG"
        - command: [test, "{{ inventory_hostname }}", "!=", h2]
        - shell: "echo after >> {{ dir }}/LOG"
      rescue:
        - shell: "echo rescue >> {{ dir }}/LOG"
      always:
        - shell: "echo always >> {{ dir }}/LOG"
    - shell: "echo next >> {{ dir }}/LOG"
`)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['block', 'after', 'always', 'next'])
  assert.deepEqual(await linesOf(join(at.dirOf('h2'), 'LOG')), ['block', 'rescue', 'always', 'next'])
  assert.equal(ran.summary.recap.h2?.rescued, 1)
  assert.equal(ran.summary.recap.h2?.failed, 0)
  assert.equal(ran.summary.exitCode, ExitCode.ok)
})

test('without rescue, always still runs after a failure, and the host stops there', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - block:
        - shell: "exit 1"
        - shell: "echo after >> {{ dir }}/LOG"
      always:
        - shell: "echo always >> {{ dir }}/LOG"
    - shell: "echo next >> {{ dir }}/LOG"
`)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['always'])
  assert.equal(ran.summary.recap.h1?.failed, 1)
  assert.equal(ran.summary.exitCode, ExitCode.hostFailed)
})

test('a failing rescue fails the host; block vars and when apply to every task inside', async () => {
  const at = await scene(['h1', 'h2'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - when: inventory_hostname == 'h1'
      vars:
        word: inner
      block:
        - shell: "echo {{ word }} >> {{ dir }}/LOG; exit 1"
      rescue:
        - shell: "echo rescue-failed >> {{ dir }}/LOG; exit 1"
      always:
        - shell: "echo always >> {{ dir }}/LOG"
`)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['inner', 'rescue-failed', 'always'])
  assert.deepEqual(await linesOf(join(at.dirOf('h2'), 'LOG')), [])
  assert.equal(ran.summary.recap.h1?.rescued, 1)
  assert.equal(ran.summary.recap.h1?.failed, 1)
  // the block's when applies to always too: block task and always task skipped, rescue never needed
  assert.equal(ran.summary.recap.h2?.skipped, 2)
})
