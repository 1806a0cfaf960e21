import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { ExitCode } from '../../src/exit-codes.js'
import type { InventoryHost } from '../../src/playbook/model.js'
import { LocalTransport } from '../../src/transport/local.js'
import { openSsh } from '../../src/transport/ssh.js'
import { writeFile } from 'node:fs/promises'
import { linesOf, perHost, run, scene, taskEnds, waitForLines } from './harness.js'

const twoPlays = `
- hosts: all
  tasks:
    - name: first
      shell: "echo first >> {{ dir }}/LOG"
- hosts: all
  tasks:
    - name: second
      shell: "echo second >> {{ dir }}/LOG"
`

test('an unreachable host counts unreachable, runs nothing further, and the run exits 4', async () => {
  const at = await scene(['h1', 'h2'])
  // h2 is "reached" over real ssh at a closed loopback port: a genuine connection refusal.
  const connect = async (host: InventoryHost) =>
    host.name === 'h2'
      ? openSsh({ host: 'h2', address: '127.0.0.1', port: 1, hostKeyPolicy: 'strict', connectTimeoutMs: 3000 })
      : new LocalTransport(host.name)
  const ran = await run(at, twoPlays, { connect })
  assert.deepEqual(perHost(ran), { h1: ['first:changed', 'second:changed'], h2: ['first:unreachable'] })
  assert.match(taskEnds(ran, 'h2')[0]?.message ?? '', /refused/)
  assert.deepEqual(ran.summary.recap.h2, { ok: 0, changed: 0, unreachable: 1, failed: 0, skipped: 0, rescued: 0, ignored: 0 })
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['first', 'second'])
  assert.equal(ran.summary.exitCode, ExitCode.unreachable)
})

test('one connection per host for the whole run, opened on first use and closed at the end', async () => {
  const at = await scene(['h1', 'h2', 'h3'])
  const opened: string[] = []
  let closed = 0
  class CountedTransport extends LocalTransport {
    override async close(): Promise<void> {
      closed++
    }
  }
  const connect = async (host: InventoryHost) => {
    opened.push(host.name)
    return new CountedTransport(host.name)
  }
  const ran = await run(at, twoPlays.replace('- hosts: all', '- hosts: h1').replaceAll('shell:', "when: inventory_hostname != 'h3'\n      shell:"), { connect })
  assert.deepEqual(perHost(ran), { h1: ['first:changed', 'second:changed'], h2: ['second:changed'], h3: ['second:skipped'] })
  assert.deepEqual(opened.sort(), ['h1', 'h2'], 'h3 ran no module, so it was never connected')
  assert.equal(closed, 2)
})

test('Ctrl-C: the change in hand finishes, no new task starts, the play ends stopped, exit 130', async () => {
  const at = await scene(['h1', 'h2'])
  const interrupt = new AbortController()
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: long
      shell: "echo started >> {{ dir }}/LOG; while [ ! -e {{ dir }}/GO ]; do sleep 0.1; done; echo finished >> {{ dir }}/LOG"
    - name: after
      shell: "echo after >> {{ dir }}/LOG"
- hosts: all
  tasks:
    - name: next play
      shell: "echo next >> {{ dir }}/LOG"
`, { signal: interrupt.signal, onEvent: async (event) => {
    if (event.type !== 'task-start' || event.task !== 'long') return
    // Both commands have begun: interrupt, then let them end on their own.
    await waitForLines(join(at.dirOf(event.host), 'LOG'), 1)
    if (event.host !== 'h2') return
    await waitForLines(join(at.dirOf('h1'), 'LOG'), 1)
    interrupt.abort(new Error('interrupted by SIGINT'))
    for (const host of ['h1', 'h2']) await writeFile(join(at.dirOf(host), 'GO'), '')
  } })
  assert.equal(ran.summary.exitCode, ExitCode.interrupted)
  assert.equal(ran.summary.interrupted, true)
  assert.deepEqual(taskEnds(ran).map((e) => [e.task, e.status]), [['long', 'changed'], ['long', 'changed']])
  assert.match(taskEnds(ran)[0]?.message ?? '', /interrupted by SIGINT: this task's changes were finished; nothing new starts/)
  const ends = ran.events.flatMap((e) => (e.type === 'play-end' ? [e] : []))
  assert.deepEqual(ends.map((e) => e.stopped), ['interrupted'])
  assert.deepEqual(ran.events.slice(-2).map((e) => e.type), ['recap', 'run-end'])
  for (const host of ['h1', 'h2']) assert.deepEqual(await linesOf(join(at.dirOf(host), 'LOG')), ['started', 'finished'])
})

test('a second interrupt abandons the change in hand and the failure says what it left', async () => {
  const at = await scene(['h1'])
  const interrupt = new AbortController()
  const abandon = new AbortController()
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: long
      shell: "echo started >> {{ dir }}/LOG; sleep 60; echo finished >> {{ dir }}/LOG"
    - name: after
      shell: "echo after >> {{ dir }}/LOG"
`, { signal: interrupt.signal, abandon: abandon.signal, onEvent: async (event) => {
    if (event.type !== 'task-start') return
    await waitForLines(join(at.dirOf('h1'), 'LOG'), 1)
    interrupt.abort(new Error('interrupted by SIGINT'))
    abandon.abort(new Error('abandoned by a second SIGINT'))
  } })
  assert.equal(ran.summary.exitCode, ExitCode.interrupted)
  const [end] = taskEnds(ran)
  assert.equal(end?.status, 'failed')
  assert.match(end?.message ?? '', /^abandoned by a second SIGINT: cut off while applying: .*\n  done: nothing\n  not started: nothing/)
  assert.doesNotMatch(end?.message ?? '', /timed out/)
  assert.deepEqual(await linesOf(join(at.dirOf('h1'), 'LOG')), ['started'])
})
