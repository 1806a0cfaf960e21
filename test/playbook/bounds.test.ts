/**
 * What a playbook cannot carry out as written is refused when it is read, at file:line:column: a
 * NUL byte in a module argument (it would cut a path short on the host), a timer longer than
 * setTimeout holds (it would fire at once). A BOM at the start of a playbook or task file is dropped.
 */
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError, type Diagnostic } from '../../src/errors.js'
import { loadPlaybook } from '../../src/playbook/load.js'
import { nulProblems, timerArgProblems } from '../../src/playbook/bounds.js'

async function files(entries: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-bounds-'))
  for (const [name, text] of Object.entries(entries)) await writeFile(join(dir, name), text)
  return dir
}

async function problems(file: string): Promise<string[]> {
  try {
    await loadPlaybook(file)
    return []
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error))
    return error.diagnostics.map((d: Diagnostic) => `${d.line}:${d.column} ${d.message}`)
  }
}

test('a NUL byte in a module argument is refused at its line and column, in YAML and k=v forms; debug may hold one', async () => {
  const dir = await files({
    'pb.yaml': [
      '- hosts: all',
      '  tasks:',
      '    - file: { path: "/tmp/a\\0b", state: absent }',
      '    - command: "echo a\\0b"',
      '    - command: { argv: [ls, "x\\x00y"] }',
      '    - debug: { msg: "binary \\0 is data here" }',
      '    - copy: { dest: /tmp/x, content: "bytes \\0 travel on stdin" }',
      '',
    ].join('\n'),
  })
  assert.deepEqual(await problems(join(dir, 'pb.yaml')), [
    '3:21 `path` holds a NUL byte',
    '4:16 `argv.1` holds a NUL byte',
    '5:29 `argv.1` holds a NUL byte',
  ])
})

test('timeouts and durations longer than a timer holds (2^31-1 ms) are refused at validation; 2147483 s is accepted', async () => {
  const dir = await files({
    'pb.yaml': [
      '- hosts: all',
      '  rollout: { pause: 99999999 }',
      '  tasks:',
      '    - command: echo a',
      '      timeout: 2500000',
      '    - wait_for: { port: 80, timeout: 3000000 }',
      '    - block: [{ debug: { msg: x } }]',
      '      timeout: 2147484',
      '    - debug: { msg: "{{ item }}" }',
      '      loop: [1]',
      '      loop_control: { pause: 1e10 }',
      '    - command: echo a',
      '      timeout: 2147483',
      '      until: "false"',
      '      delay: 86400000',
      '',
    ].join('\n'),
  })
  const found = await problems(join(dir, 'pb.yaml'))
  assert.deepEqual(found.map((p) => p.replace(/ s is longer than a timer can wait.*/, '')), [
    '2:21 `rollout.pause`: 99999999',
    '5:16 `timeout`: 2500000',
    '6:38 `timeout`: 3000000',
    '8:16 `timeout`: 2147484',
    '11:30 `loop_control.pause`: 10000000000',
    '15:14 `delay`: 86400000',
  ])
})

test('a BOM at the start of a playbook and of an imported task file is dropped', async () => {
  const dir = await files({
    'pb.yaml': '\uFEFF- hosts: all\n  tasks:\n    - import_tasks: more.yaml\n',
    'more.yaml': '\uFEFF- debug: { msg: hi }\n',
  })
  const playbook = await loadPlaybook(join(dir, 'pb.yaml'))
  assert.equal(playbook.plays[0]?.tasks.length, 1)
})

test('the checks run on values rendered at task time too (pure functions)', () => {
  assert.deepEqual(nulProblems({ path: 'a\0b', content: 'c\0d', list: ['ok', 'x\0'] }).map((p) => p.at), [['path'], ['list', 1]])
  assert.deepEqual(timerArgProblems({ timeout: '3000000', within: 10, port: 99999999 }).map((p) => p.at), [['timeout']])
})
