/** Recorded runs through the real CLI (local hosts): ids, halts, tend runs, tend resume, stale plans. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv, finished, project, start, tend, waitForOutput } from './support.js'
import { eventsIn } from '../support/events.js'

const INVENTORY = `all:
  hosts:
    a: { ansible_connection: local }
    b: { ansible_connection: local }
    c: { ansible_connection: local }
`

/** Each host appends its name to `log`; b fails while `broken-b` exists; c sleeps when `slow-c` exists. */
const PLAYBOOK = `- name: roll
  hosts: all
  serial: 1
  rollout: { error_budget: 0, pause: 0.1 }
  tasks:
    - name: converge
      shell: |
        echo {{ inventory_hostname }} >> log
        if [ {{ inventory_hostname }} = c ] && [ -e slow-c ]; then sleep 30; fi
        ! [ {{ inventory_hostname }} = b ] || ! [ -e broken-b ]
`

async function scene() {
  const dir = await project({ 'inventory/local.yaml': INVENTORY, 'site.yaml': PLAYBOOK, 'broken-b': '' })
  return { dir, state: join(dir, 'state'), log: () => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : []) }
}

const json = (stdout: string) => eventsIn<Record<string, unknown>>(stdout)

test('a halted rollout exits 6; the recap names the run, why, what is left and the resume command', async () => {
  const at = await scene()
  const run = await tend(['run', 'site.yaml', '--state-dir', at.state, '-e', 'token=hunter2'], at.dir)
  assert.equal(run.code, 6, run.stdout + run.stderr)
  const id = /^run (\S+)/.exec(run.stdout)?.[1]
  assert.ok(id, run.stdout)
  assert.match(run.stdout, /rollout: 3 batches · error budget 0 · pause 0\.1s/)
  assert.match(run.stdout, /BATCH 2\/3 \[b\] · error budget 0 of 0 used/)
  assert.match(run.stdout, /pausing 0\.1s before batch 2\/3/)
  assert.match(run.stdout, /ROLLOUT HALTED \[roll\] at batch 2\/3: error budget exceeded: 1 host down \(b\), 0 allowed/)
  assert.match(run.stdout, /left \(not converged\): b, c/)
  assert.ok(run.stdout.includes(`run ${id}: halted at batch 2/3\n  resume with: tend resume ${id} --state-dir ${at.state}`), run.stdout)
  assert.deepEqual(at.log(), ['a', 'b'])

  const list = await tend(['runs', '--state-dir', at.state, '--json'], at.dir)
  const [listed] = JSON.parse(list.stdout) as { id: string; status: string; reason: string }[]
  assert.equal(listed?.id, id)
  assert.equal(listed?.status, 'halted')
  assert.match(listed?.reason ?? '', /^batch 2\/3: error budget exceeded/)
  const shown = await tend(['runs', id!, '--state-dir', at.state, '--json'], at.dir)
  const detail = JSON.parse(shown.stdout) as { hosts: { host: string; status: string; lastConvergence?: { evidence: { task: string; status: string }[] } }[] }
  assert.deepEqual(detail.hosts.map((h) => `${h.host}:${h.status}`), ['a:changed', 'b:failed', 'c:pending'])
  assert.deepEqual(detail.hosts[1]?.lastConvergence?.evidence.map((e) => `${e.task}:${e.status}`), ['converge:failed'])
  assert.doesNotMatch(shown.stdout + list.stdout + run.stdout, /hunter2/, 'extra vars are never shown')

  const text = await tend(['runs', '--state-dir', at.state], at.dir)
  assert.match(text.stdout, new RegExp(`${id}\\s+site\\.yaml\\s+\\S+ \\S+\\s+halted at batch 2/3: error budget exceeded`))
})

test('tend resume (latest unfinished run) retries the failed host, skips the converged one, runs the rest', async () => {
  const at = await scene()
  const first = await tend(['run', 'site.yaml', '--state-dir', at.state], at.dir)
  assert.equal(first.code, 6)
  const { rm } = await import('node:fs/promises')
  await rm(join(at.dir, 'broken-b'))
  const resumed = await tend(['resume', '--state-dir', at.state, '--json'], at.dir)
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr)
  const events = json(resumed.stdout)
  assert.equal(events[0]?.resumed, true)
  assert.deepEqual(events.filter((e) => e.type === 'batch-start').map((e) => [e.hosts, e.converged ?? []]), [[[], ['a']], [['b'], []], [['c'], []]])
  assert.deepEqual(at.log(), ['a', 'b', 'b', 'c'], 'a converged once')
  const list = JSON.parse((await tend(['runs', '--state-dir', at.state, '--json'], at.dir)).stdout) as { status: string }[]
  assert.equal(list[0]?.status, 'converged')
})

test('tend resume refuses a changed playbook, naming it (exit 5); --replan goes on', async () => {
  const at = await scene()
  const first = await tend(['run', 'site.yaml', '--state-dir', at.state], at.dir)
  const id = /^run (\S+)/.exec(first.stdout)?.[1]!
  await writeFile(join(at.dir, 'site.yaml'), PLAYBOOK.replace('name: converge', 'name: converge again'))
  const refused = await tend(['resume', id, '--state-dir', at.state], at.dir)
  assert.equal(refused.code, 5, refused.stderr)
  assert.match(refused.stderr, new RegExp(`${join(at.dir, 'site.yaml')}: playbook changed since run ${id} froze its plan`))
  assert.match(refused.stderr, /--replan/)
  assert.deepEqual(at.log(), ['a', 'b'], 'nothing ran')
  const { rm } = await import('node:fs/promises')
  await rm(join(at.dir, 'broken-b'))
  const replanned = await tend(['resume', id, '--state-dir', at.state, '--replan'], at.dir)
  assert.equal(replanned.code, 0, replanned.stdout + replanned.stderr)
  assert.match(replanned.stdout, /\[b\] converge again/)
  assert.deepEqual(at.log(), ['a', 'b', 'b', 'c'])
})

test('SIGTERM mid-batch: the run is interrupted (130) and tend resume finishes it', async () => {
  const at = await scene()
  const { rm } = await import('node:fs/promises')
  await rm(join(at.dir, 'broken-b'))
  await writeFile(join(at.dir, 'slow-c'), '')
  const child = start(['run', 'site.yaml', '--state-dir', at.state], at.dir)
  const done = finished(child)
  await waitForOutput(child, 'BATCH 3/3')
  await new Promise((r) => setTimeout(r, 500))
  child.kill('SIGTERM')
  const run = await done
  assert.equal(run.code, 130, run.stdout + run.stderr)
  const id = /^run (\S+)/.exec(run.stdout)?.[1]!
  assert.match(run.stdout, new RegExp(`run ${id}: interrupted\\n  resume with: tend resume ${id}`))
  const list = JSON.parse((await tend(['runs', '--state-dir', at.state, '--json'], at.dir)).stdout) as { status: string }[]
  assert.equal(list[0]?.status, 'interrupted')
  await rm(join(at.dir, 'slow-c'))
  const resumed = await tend(['resume', id, '--state-dir', at.state], at.dir)
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr)
  assert.deepEqual(at.log(), ['a', 'b', 'c', 'c'], 'only the interrupted host ran again')
})

test('--check prints the batch plan with the gates between batches (plain and --json)', async () => {
  const at = await scene()
  const plain = await tend(['run', 'site.yaml', '--check'], at.dir, cleanEnv())
  assert.match(plain.stdout, /batch 1\/3: a\n {4}↓ gate: go on while at most 0 hosts down, then pause 0\.1s\n {2}batch 2\/3: b/)
  const events = json((await tend(['run', 'site.yaml', '--check', '--json'], at.dir)).stdout)
  const plan = events.find((e) => e.type === 'rollout-plan')
  assert.deepEqual(plan, { type: 'rollout-plan', play: 'roll', batches: [['a'], ['b'], ['c']], errorBudget: 0, pauseSeconds: 0.1, recheck: false, gates: [] })
  assert.deepEqual(at.log(), [])
})

test('tend resume refuses a changed vars file or inventory, naming each; the same content again is accepted', async () => {
  const at = await scene()
  await writeFile(join(at.dir, 'vars.yaml'), 'greeting: hello\n')
  await writeFile(join(at.dir, 'site.yaml'), PLAYBOOK.replace('  serial: 1\n', '  serial: 1\n  vars_files: [vars.yaml]\n'))
  const first = await tend(['run', 'site.yaml', '--state-dir', at.state], at.dir)
  assert.equal(first.code, 6, first.stdout + first.stderr)
  const id = /^run (\S+)/.exec(first.stdout)?.[1]!
  await writeFile(join(at.dir, 'vars.yaml'), 'greeting: bye\n')
  await writeFile(join(at.dir, 'inventory/local.yaml'), INVENTORY.replace('c: {', 'd: { ansible_connection: local }\n    c: {'))
  const refused = await tend(['resume', id, '--state-dir', at.state], at.dir)
  assert.equal(refused.code, 5)
  assert.match(refused.stderr, new RegExp(`${join(at.dir, 'vars.yaml')}: vars file changed since run ${id}`))
  assert.match(refused.stderr, new RegExp(`${join(at.dir, 'inventory/local.yaml')}: inventory changed since run ${id}`))
  await writeFile(join(at.dir, 'vars.yaml'), 'greeting: hello\n')
  await writeFile(join(at.dir, 'inventory/local.yaml'), INVENTORY)
  const { rm } = await import('node:fs/promises')
  await rm(join(at.dir, 'broken-b'))
  const resumed = await tend(['resume', id, '--state-dir', at.state], at.dir)
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr)
})
