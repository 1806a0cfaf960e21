/** Every exit code of `tend run`, from real runs of real commands on local hosts. */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { LOCAL_INVENTORY, parseRecap, project, tend } from './support.js'

const INV = { 'inventory/local.yaml': LOCAL_INVENTORY }

test('a run whose tasks succeed exits 0 and does the work', async () => {
  const dir = await project({
    ...INV,
    'site.yaml': `- name: touch
  hosts: web
  tasks:
    - name: make a marker
      shell: "touch marker-{{ inventory_hostname }}"
`,
  })
  const result = await tend(['run', 'site.yaml'], dir)
  assert.equal(result.code, 0, result.stderr + result.stdout)
  assert.ok(existsSync(join(dir, 'marker-alpha')) && existsSync(join(dir, 'marker-beta')))
  assert.ok(!existsSync(join(dir, 'marker-gamma')), 'gamma is not in web')
})

test('a failing task exits 2 and names the host, the task and the reason', async () => {
  const dir = await project({
    ...INV,
    'site.yaml': `- name: fail
  hosts: alpha
  tasks:
    - name: this fails
      shell: "echo broken >&2; exit 7"
`,
  })
  const result = await tend(['run', 'site.yaml'], dir)
  assert.equal(result.code, 2, result.stderr)
  assert.match(result.stdout, /^failed: \[alpha\] this fails — .*7/m)
  assert.equal(parseRecap(result.stdout).alpha?.failed, 1)
})

test('--check with drift exits 3 and changes nothing', async () => {
  const dir = await project({
    ...INV,
    'site.yaml': `- name: drift
  hosts: alpha
  tasks:
    - name: create file
      command: { argv: [touch, created], creates: created }
`,
  })
  const result = await tend(['run', 'site.yaml', '--check'], dir)
  assert.equal(result.code, 3, result.stderr)
  assert.ok(!existsSync(join(dir, 'created')), '--check must not run the command')
  const converge = await tend(['run', 'site.yaml'], dir)
  assert.equal(converge.code, 0, converge.stderr)
  const again = await tend(['run', 'site.yaml', '--check'], dir)
  assert.equal(again.code, 0, 'no drift once converged')
})

test('an ssh host that refuses connections exits 4 (unreachable)', async () => {
  const dir = await project({
    'inventory/local.yaml': `all:
  hosts:
    closed: { ansible_host: 127.0.0.1, ansible_port: 1, ansible_user: root }
`,
    'site.yaml': `- name: reach
  hosts: all
  tasks:
    - command: ["true"]
`,
  })
  const result = await tend(['run', 'site.yaml'], dir)
  assert.equal(result.code, 4, result.stderr + result.stdout)
  assert.equal(parseRecap(result.stdout).closed?.unreachable, 1)
})

test('bad flags exit 5', async () => {
  const dir = await project({ ...INV, 'site.yaml': '- hosts: all\n  tasks: []\n' })
  for (const args of [['run', 'site.yaml', '--forks', '0'], ['run'], ['run', 'site.yaml', '--nope'], ['frobnicate']]) {
    const result = await tend(args, dir)
    assert.equal(result.code, 5, `${args.join(' ')}: ${result.stderr}`)
    assert.equal(result.stdout, '')
  }
})

test('an invalid playbook exits 5 with file:line:column and runs nothing', async () => {
  const dir = await project({
    ...INV,
    'site.yaml': `- name: bad
  hosts: all
  tasks:
    - name: fine
      shell: touch ran
    - name: unknown module
      frobnicate: { x: 1 }
`,
  })
  const result = await tend(['run', 'site.yaml'], dir)
  assert.equal(result.code, 5)
  assert.match(result.stderr, /site\.yaml:7:\d+/)
  assert.ok(!existsSync(join(dir, 'ran')), 'no task may run before validation passes')
})

test('a missing inventory and a bad -e are both reported, exit 5', async () => {
  const dir = await project({ 'site.yaml': '- hosts: all\n  tasks: []\n', 'vars.yaml': 'a: [1,\n' })
  const result = await tend(['run', 'site.yaml', '-e', '@vars.yaml', '-e', 'not a pair'], dir)
  assert.equal(result.code, 5)
  assert.match(result.stderr, /inventory[/\\]local\.yaml/)
  assert.match(result.stderr, /vars\.yaml:\d+:\d+/)
  assert.match(result.stderr, /not a KEY=VALUE pair/)
})
