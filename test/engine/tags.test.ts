import assert from 'node:assert/strict'
import { test } from 'node:test'
import { run, scene, taskEnds } from './harness.js'

const tagged = `
- hosts: all
  tasks:
    - { name: a, shell: "true", tags: web }
    - { name: b, shell: "true", tags: [db] }
    - { name: c, shell: "true" }
    - { name: d, shell: "true", tags: [always] }
    - { name: e, shell: "true", tags: [never, debug] }
    - tags: web
      block:
        - { name: f, shell: "true" }
`

async function tasksRun(tags: string[], skipTags: string[]): Promise<string[]> {
  const ran = await run(await scene(['h1']), tagged, { tags, skipTags })
  return taskEnds(ran).map((e) => e.task)
}

test('without tags every task runs except those tagged never', async () => {
  assert.deepEqual(await tasksRun([], []), ['a', 'b', 'c', 'd', 'f'])
})

test('--tags runs the matching tasks (block tags inherited) plus always', async () => {
  assert.deepEqual(await tasksRun(['web'], []), ['a', 'd', 'f'])
})

test('--skip-tags drops matching tasks; always is dropped only when skipped by name', async () => {
  assert.deepEqual(await tasksRun([], ['web']), ['b', 'c', 'd'])
  assert.deepEqual(await tasksRun([], ['always']), ['a', 'b', 'c', 'f'])
})

test('a never task runs when one of its other tags is asked for', async () => {
  assert.deepEqual(await tasksRun(['debug'], []), ['d', 'e'])
})
