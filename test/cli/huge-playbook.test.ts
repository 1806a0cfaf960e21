/**
 * Very large playbooks: listing 250,000 tasks works (no stack overflow), and SIGINT is answered
 * within about a second whatever tend is doing: reading and validating a 50,000-task playbook, or
 * running 20,000 tasks that never wait on I/O (debug), which used to hold the event loop until
 * the last one. Times are reported, and bounded at 1.5 s to leave room for a loaded machine.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { listPlaybook } from '../../src/cli/commands/list.js'
import { loadInventory, loadPlaybook } from '../../src/playbook/load.js'
import type { Playbook } from '../../src/playbook/model.js'
import { finished, project, start, waitForOutput } from './support.js'

const INVENTORY = 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n'

function debugTasks(count: number): string {
  const lines = ['- hosts: all', '  tasks:']
  for (let i = 0; i < count; i++) lines.push(`    - name: t${i}`, `      debug: { msg: "${i}" }`)
  return lines.join('\n') + '\n'
}

test('--list-tasks of 250,000 tasks lists every one (no stack overflow)', async () => {
  const dir = await project({ 'pb.yaml': debugTasks(2), 'inv.yaml': INVENTORY })
  const small = await loadPlaybook(join(dir, 'pb.yaml'))
  const play = small.plays[0]!
  const tasks = Array.from({ length: 250_000 }, (_, i) => play.tasks[i % 2]!)
  const huge: Playbook = { ...small, plays: [{ ...play, tasks }] }
  const text = listPlaybook(huge, await loadInventory(join(dir, 'inv.yaml')), ['tasks'], { tags: [], skipTags: [] })
  assert.equal(text.split('\n').filter((l) => /^ {6}t[01]\t/.test(l)).length, 250_000)
})

/** Sends SIGINT once `ready` resolves; resolves with the exit code and how long the answer took. */
async function interrupt(args: readonly string[], dir: string, ready: (child: ReturnType<typeof start>) => Promise<void>) {
  const child = start(args, dir)
  await ready(child)
  const sent = Date.now()
  child.kill('SIGINT')
  const run = await finished(child)
  return { ...run, answeredMs: Date.now() - sent }
}

test('SIGINT while a 50,000-task playbook is read and validated is answered within a second (exit 130)', async (t) => {
  const dir = await project({ 'pb.yaml': debugTasks(50_000), 'inv.yaml': INVENTORY })
  for (const args of [['validate', 'pb.yaml', '-i', 'inv.yaml'], ['run', 'pb.yaml', '-i', 'inv.yaml', '--list-tasks'], ['run', 'pb.yaml', '-i', 'inv.yaml']]) {
    const run = await interrupt(args, dir, () => new Promise((resolve) => setTimeout(resolve, 2500)))
    t.diagnostic(`tend ${args.join(' ')}: SIGINT answered in ${run.answeredMs} ms (exit ${run.code ?? 'by the signal'})`)
    // Before tend takes the signal over (while reading), SIGINT ends it as it ends any program.
    assert.ok(run.code === 130 || run.code === null, `exit ${run.code}: ${run.stderr.slice(-300)}`)
    assert.ok(run.answeredMs < 1500, `answered after ${run.answeredMs} ms`)
  }
})

test('SIGINT during 20,000 debug tasks stops the run within a second: recap printed, exit 130', async (t) => {
  const dir = await project({ 'pb.yaml': debugTasks(20_000), 'inv.yaml': INVENTORY })
  const run = await interrupt(['run', 'pb.yaml', '-i', 'inv.yaml'], dir, (child) => waitForOutput(child, '→ [localhost] t200\n'))
  t.diagnostic(`SIGINT answered in ${run.answeredMs} ms`)
  assert.equal(run.code, 130, run.stderr.slice(-300))
  assert.ok(run.answeredMs < 1500, `answered after ${run.answeredMs} ms`)
  assert.match(run.stdout, /PLAY RECAP/)
  assert.doesNotMatch(run.stdout, /t19999/)
})
