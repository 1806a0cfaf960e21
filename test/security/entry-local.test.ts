/**
 * The escape corpus through every entry point the controller itself holds, on local hosts:
 * playbook vars and inventory vars (authored: rendered once, refused or harmless), `-e` (data),
 * a command's registered output and `hostvars` (host data: plain text at every depth).
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { ConfigError } from '../../src/errors.js'
import { loadPlaybook } from '../../src/playbook/load.js'
import { project, tend } from '../cli/support.js'
import { run, scene, taskEnds, type TaskEnd } from '../engine/harness.js'
import { assertUntouched, payloads, readsControllerFiles, TEMPLATE_ERROR, trap } from './payloads.js'
import { eventsIn } from '../support/events.js'

const t = trap()
/**
 * These tests show a payload through a command's argv (printf), which holds no NUL and at most
 * 128 KiB per argument; entry-authored and entry-output take every payload, through debug.
 */
const corpus = payloads(t).filter((p) => !p.includes('\0') && p.length < 60_000)
/** Authored file lookups read the secret, as Ansible's do: entry-authored gives them tokens of their own. */
const authored = corpus.filter((p) => !readsControllerFiles(p))
const json = (value: unknown) => JSON.stringify(value, null, 1)
const printf = (expr: string) => ({ command: ['printf', '%s', expr] })

function stdoutOf(end: TaskEnd | undefined): unknown {
  return (end?.result as { stdout?: unknown } | undefined)?.stdout
}

function byName(ends: readonly TaskEnd[], name: string): TaskEnd {
  const end = ends.find((e) => e.task === name)
  assert.ok(end, `no task-end for ${name}`)
  return end
}

/** An authored payload either renders (harmless text) or fails that task with a template error. */
function assertAuthoredOutcome(end: TaskEnd, payload: string): void {
  if (end.status === 'changed') return
  assert.equal(end.status, 'ignored', `${payload}: ${end.status} ${end.message ?? ''}`)
  assert.match(end.message ?? '', TEMPLATE_ERROR, payload)
  assert.doesNotMatch(end.message ?? '', /internal error|\n\s+at /, payload)
}

const allText = (events: readonly EngineEvent[]) => JSON.stringify(events)

/**
 * Payloads in the playbook itself meet validation first: one that names an Ansible filter tend
 * lacks (`attr`, …) is refused there, at its file:line:column, before any host is contacted.
 */
async function refusedAtValidation(at: Awaited<ReturnType<typeof scene>>, payload: string, index: number): Promise<boolean> {
  const file = join(at.root, `validate-${index}.yaml`)
  await writeFile(file, json([{ hosts: 'all', vars: { v: payload }, tasks: [{ name: 'use', ...printf('{{ v }}') }] }]))
  try {
    await loadPlaybook(file)
    return false
  } catch (error) {
    assert.ok(error instanceof ConfigError, `${payload}: ${String(error)}`)
    for (const d of error.diagnostics) {
      assert.equal(d.file, file)
      assert.ok(d.line > 0, `${payload}: no line in ${d.message}`)
      assert.doesNotMatch(d.message, /\n\s+at /, payload)
    }
    return true
  }
}

test('playbook vars: each payload is refused at validation, or rendered once as authored text, refused or harmless', async () => {
  const at = await scene(['h1'])
  const refused = await Promise.all(authored.map((p, i) => refusedAtValidation(at, p, i)))
  const left = authored.filter((_, i) => !refused[i])
  const vars = Object.fromEntries(left.map((p, i) => [`v${i}`, p]))
  const tasks = left.map((_, i) => ({ name: `use ${i}`, ...printf(`{{ v${i} }}`), ignore_errors: true }))
  const ran = await run(at, json([{ hosts: 'all', vars, tasks }]))
  const ends = taskEnds(ran)
  left.forEach((p, i) => assertAuthoredOutcome(byName(ends, `use ${i}`), p))
  assertUntouched(t, allText(ran.events))
})

test('inventory vars: each payload is rendered once as authored text, refused or harmless', async () => {
  const at = await scene(['h1'])
  const hostVars = Object.fromEntries(authored.map((p, i) => [`v${i}`, p]))
  await writeFile(join(at.root, 'inventory.yaml'), json({ all: { hosts: { h1: { ansible_connection: 'local', ...hostVars } } } }))
  const tasks = authored.map((_, i) => ({ name: `use ${i}`, ...printf(`{{ v${i} }}`), ignore_errors: true }))
  const ran = await run(at, json([{ hosts: 'all', tasks }]))
  const ends = taskEnds(ran)
  authored.forEach((p, i) => assertAuthoredOutcome(byName(ends, `use ${i}`), p))
  assertUntouched(t, allText(ran.events))
})

test('registered command output is plain text, also through a derived var and a when', async () => {
  const at = await scene(['h1'])
  const tasks = corpus.flatMap((p, i) => {
    const file = join(at.root, `payload-${i}.txt`)
    return [
      { name: `emit ${i}`, command: ['cat', file], register: `raw${i}` },
      { name: `use ${i}`, ...printf('<{{ x }}>'), vars: { x: `{{ raw${i}.stdout }}`, y: '{{ x }}' }, when: `y == raw${i}.stdout`, register: `used${i}` },
    ]
  })
  await Promise.all(corpus.map((p, i) => writeFile(join(at.root, `payload-${i}.txt`), p)))
  const ran = await run(at, json([{ hosts: 'all', tasks }]))
  const ends = taskEnds(ran)
  corpus.forEach((p, i) => {
    const end = byName(ends, `use ${i}`)
    assert.equal(end.status, 'changed', `${p}: ${end.message ?? ''}`)
    assert.equal(stdoutOf(end), `<${p}>`)
  })
  assertUntouched(t, allText(ran.events))
})

test('hostvars of another host (its registered output and inventory vars) are plain text', async () => {
  const at = await scene(['h1', 'h2'])
  const hostVars = Object.fromEntries(corpus.map((p, i) => [`q${i}`, p]))
  await writeFile(join(at.root, 'inventory.yaml'), json({ all: { hosts: { h1: { ansible_connection: 'local' }, h2: { ansible_connection: 'local', ...hostVars } } } }))
  await Promise.all(corpus.map((p, i) => writeFile(join(at.root, `payload-${i}.txt`), p)))
  const emit = corpus.map((_, i) => ({ name: `emit ${i}`, command: ['cat', join(at.root, `payload-${i}.txt`)], register: `raw${i}` }))
  const use = corpus.flatMap((_, i) => [
    { name: `out ${i}`, ...printf(`{{ hostvars['h2'].raw${i}.stdout }}`) },
    { name: `var ${i}`, ...printf('{{ z }}'), vars: { z: `{{ hostvars.h2.q${i} }}` } },
  ])
  const ran = await run(at, json([{ hosts: 'h2', tasks: emit }, { hosts: 'h1', tasks: use }]))
  const ends = taskEnds(ran, 'h1')
  corpus.forEach((p, i) => {
    assert.equal(stdoutOf(byName(ends, `out ${i}`)), p)
    assert.equal(stdoutOf(byName(ends, `var ${i}`)), p)
  })
  assertUntouched(t, allText(ran.events))
})

test('-e values are data: the real CLI prints each payload as plain text', async () => {
  const extra = Object.fromEntries(corpus.map((p, i) => [`e${i}`, p]))
  const tasks = corpus.map((_, i) => ({ name: `use ${i}`, ...printf('{{ y }}'), vars: { y: `{{ e${i} }}` } }))
  const dir = await project({ 'extra.json': json(extra), 'site.yaml': json([{ hosts: 'all', tasks }]) })
  const inventory = join(dir, 'local.yaml')
  await writeFile(inventory, 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n')
  const finished = await tend(['run', 'site.yaml', '-i', inventory, '-e', '@extra.json', '-e', `e0=${corpus[0]}`, '--json'], dir)
  assert.equal(finished.code, 0, finished.stderr + finished.stdout.slice(-2000))
  const events = eventsIn(finished.stdout)
  const ends = events.filter((e): e is TaskEnd => e.type === 'task-end')
  corpus.forEach((p, i) => assert.equal(stdoutOf(byName(ends, `use ${i}`)), p))
  assertUntouched(t, finished.stdout, finished.stderr)
})

test('the CLI refuses an authored escape with file:line:column and no stack, at validation or when it runs', async () => {
  const dir = await project({ 'site.yaml': `- hosts: all\n  vars:\n    v: ${JSON.stringify(corpus[0])}\n  tasks:\n    - command: [printf, '%s', '{{ v }}']\n` })
  const inventory = join(dir, 'local.yaml')
  await writeFile(inventory, 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n')
  const finished = await tend(['run', 'site.yaml', '-i', inventory], dir)
  assert.ok(finished.code === 2 || finished.code === 5, `exit ${finished.code}`)
  assert.match(finished.stderr + finished.stdout, /site\.yaml:[35]:\d+: .*(only tend's functions can be called|has no attribute 'constructor')/)
  assert.doesNotMatch(finished.stderr + finished.stdout, /\n\s+at /)
  assertUntouched(t, finished.stdout, finished.stderr)
})
