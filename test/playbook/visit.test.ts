/** The one task-tree walk: written order, blocks opened, includes only when asked, no recursion. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Task } from '../../src/playbook/model.js'
import { allTasks, inheritedTags, leafTasks } from '../../src/playbook/visit.js'

const mod = (name: string, tags: string[] = []) => ({ type: 'module', name, module: 'command', tags }) as unknown as Task
const block = (name: string, parts: { block?: Task[]; rescue?: Task[]; always?: Task[] }, tags: string[] = []) =>
  ({ type: 'block', name, tags, block: parts.block ?? [], rescue: parts.rescue ?? [], always: parts.always ?? [] }) as unknown as Task
const include = (label: string, tasks: Task[]) => ({ type: 'include', label, tags: ['inc'], tasks }) as unknown as Task

test('tasks come in written order: block, rescue, always; an include opens only when asked', () => {
  const tree = [mod('a'), block('b', { block: [mod('b1')], rescue: [mod('r1')], always: [mod('w1')] }, ['outer']), include('include_tasks: x.yml', [mod('x1')])]
  assert.deepEqual(allTasks(tree).map((t) => t.name ?? (t as { label: string }).label), ['a', 'b', 'b1', 'r1', 'w1', 'include_tasks: x.yml'])
  assert.deepEqual(allTasks(tree, { intoIncludes: true }).map((t) => t.name ?? 'include'), ['a', 'b', 'b1', 'r1', 'w1', 'include', 'x1'])
  const leaves = leafTasks(tree, { intoIncludes: true })
  assert.deepEqual(leaves.map((v) => v.task.name ?? 'include'), ['a', 'b1', 'r1', 'w1', 'include', 'x1'])
  assert.deepEqual(inheritedTags(leaves[1]!), ['outer'])
  assert.deepEqual(inheritedTags(leaves[5]!), ['inc'])
})

test('a quarter of a million tasks and blocks nested 100,000 deep are walked without overflowing the stack', () => {
  const many = Array.from({ length: 250_000 }, (_, i) => mod(`t${i}`))
  assert.equal(leafTasks(many).length, 250_000)
  let deep: Task = mod('innermost', ['deepest'])
  for (let i = 0; i < 100_000; i++) deep = block(`b${i}`, { block: [deep] }, [`l${i % 3}`])
  const leaves = leafTasks([deep])
  assert.deepEqual(leaves.map((v) => v.task.name), ['innermost'])
  assert.deepEqual(inheritedTags(leaves[0]!).sort(), ['deepest', 'l0', 'l1', 'l2'])
})
