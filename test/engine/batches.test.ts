import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { batchesOf } from '../../src/rollout/batches.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { ExitCode } from '../../src/exit-codes.js'
import { linesOf, run, scene, taskEnds } from './harness.js'

const five = ['h1', 'h2', 'h3', 'h4', 'h5']

test('serial sizes: counts, floored percentages of at least one, the last size repeats', () => {
  assert.deepEqual(batchesOf(five, [1, '50%']), [['h1'], ['h2', 'h3'], ['h4', 'h5']])
  assert.deepEqual(batchesOf(five, ['10%']), five.map((h) => [h]))
  assert.deepEqual(batchesOf(five, [2]), [['h1', 'h2'], ['h3', 'h4'], ['h5']])
  assert.deepEqual(batchesOf(five, []), [five])
})

test('serial [1, "50%"] converges batch after batch: every host of a batch ends before the next starts', async () => {
  const at = await scene(five)
  const ran = await run(at, `
- hosts: all
  serial: [1, "50%"]
  tasks:
    - shell: "echo {{ inventory_hostname }} >> {{ playbook_dir }}/ORDER"
    - shell: "sleep 0.1; echo {{ inventory_hostname }} >> {{ playbook_dir }}/ORDER"
`)
  const batches = ran.events.flatMap((e) => (e.type === 'batch-start' ? [e.hosts] : []))
  assert.deepEqual(batches, [['h1'], ['h2', 'h3'], ['h4', 'h5']])
  const order = await linesOf(join(at.root, 'ORDER'))
  const batchOf = (host: string) => batches.findIndex((b) => b.includes(host))
  assert.equal(order.length, 10)
  assert.deepEqual(order.map(batchOf), [...order.map(batchOf)].sort(), `appended in batch order: ${order.join(' ')}`)
})

const halfFail = (percentage: number) => `
- hosts: all
  serial: 2
  max_fail_percentage: ${percentage}
  tasks:
    - name: fails on h1
      command: [test, "{{ inventory_hostname }}", "!=", h1]
    - name: write
      shell: "echo written >> {{ dir }}/LOG"
`

test('max_fail_percentage exceeded stops the batch and later batches', async () => {
  const at = await scene(['h1', 'h2', 'h3', 'h4'])
  const ran = await run(at, halfFail(49))
  for (const host of ['h2', 'h3', 'h4']) assert.deepEqual(await linesOf(join(at.dirOf(host), 'LOG')), [], host)
  const end = ran.events.find((e) => e.type === 'play-end') as Extract<EngineEvent, { type: 'play-end' }>
  assert.match(end.stopped ?? '', /max_fail_percentage 49% exceeded: 1 of 2/)
  assert.equal(ran.events.filter((e) => e.type === 'batch-start').length, 1)
  assert.equal(ran.summary.exitCode, ExitCode.hostFailed)
})

test('max_fail_percentage equalled does not stop the play', async () => {
  const at = await scene(['h1', 'h2', 'h3', 'h4'])
  const ran = await run(at, halfFail(50))
  for (const host of ['h2', 'h3', 'h4']) assert.deepEqual(await linesOf(join(at.dirOf(host), 'LOG')), ['written'], host)
  assert.equal(ran.events.find((e) => e.type === 'play-end' && e.stopped !== undefined), undefined)
})

const fatal = (strategy: string) => `
- hosts: all
  any_errors_fatal: true
  strategy: ${strategy}
  tasks:
    - name: h2 fails at once, the others are slow
      shell: "{{ 'exit 1' if inventory_hostname == 'h2' else 'sleep 0.5' }}"
    - name: write
      shell: "echo written >> {{ dir }}/LOG"
- hosts: all
  tasks:
    - name: second play
      shell: "echo second >> {{ dir }}/LOG"
`

for (const strategy of ['linear', 'free']) {
  test(`any_errors_fatal (${strategy}): one failure stops every host and the run`, async () => {
    const at = await scene(['h1', 'h2', 'h3'])
    const ran = await run(at, fatal(strategy))
    for (const host of ['h1', 'h2', 'h3']) assert.deepEqual(await linesOf(join(at.dirOf(host), 'LOG')), [], host)
    assert.equal(ran.events.filter((e) => e.type === 'play-start').length, 1)
    const end = ran.events.find((e) => e.type === 'play-end') as Extract<EngineEvent, { type: 'play-end' }>
    assert.match(end.stopped ?? '', /any_errors_fatal: h2 failed/)
    assert.equal(ran.summary.exitCode, ExitCode.hostFailed)
  })
}

test('strategy linear moves hosts in lockstep; free lets a fast host run ahead', async () => {
  const playbook = (strategy: string) => `
- hosts: all
  strategy: ${strategy}
  tasks:
    - shell: "{{ 'sleep 0.6;' if inventory_hostname == 'h2' else '' }} echo {{ inventory_hostname }}-1 >> {{ playbook_dir }}/ORDER"
    - shell: "echo {{ inventory_hostname }}-2 >> {{ playbook_dir }}/ORDER"
`
  const linear = await scene(['h1', 'h2'])
  await run(linear, playbook('linear'))
  assert.deepEqual((await linesOf(join(linear.root, 'ORDER'))).slice(0, 2), ['h1-1', 'h2-1'])
  const free = await scene(['h1', 'h2'])
  await run(free, playbook('free'))
  assert.deepEqual((await linesOf(join(free.root, 'ORDER'))).slice(0, 2), ['h1-1', 'h1-2'])
})

for (const strategy of ['linear', 'free']) {
  test(`forks bounds how many hosts work at once (${strategy})`, async () => {
    const at = await scene(['h1', 'h2', 'h3', 'h4', 'h5'])
    const ran = await run(at, `
- hosts: all
  strategy: ${strategy}
  tasks:
    - shell: "echo start >> {{ playbook_dir }}/SPANS; sleep 0.3; echo end >> {{ playbook_dir }}/SPANS"
`, { forks: 2 })
    assert.equal(taskEnds(ran).length, 5)
    let running = 0
    let most = 0
    for (const line of await linesOf(join(at.root, 'SPANS'))) {
      running += line === 'start' ? 1 : -1
      most = Math.max(most, running)
    }
    assert.equal(most, 2)
  })
}
