/** ansible-playbook's flags on `tend run`: listing, start-at-task, syntax-check, -v levels, -u/--private-key/-b. */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { LOCAL_INVENTORY, project, tend } from './support.js'
import { leaseHost } from '../support/testbed.js'
import { eventsOf } from '../support/events.js'

const SITE = `- name: web setup
  hosts: web
  tasks:
    - name: first step
      command: [touch, first]
      tags: [setup]
    - block:
        - name: second step
          command: [touch, second]
      tags: [deploy]
    - name: third step
      shell: "touch third && echo done-third"
      tags: [deploy, web]
- name: db setup
  hosts: db
  tasks:
    - name: db step
      command: [touch, db]
`

test('--list-hosts lists each play\'s hosts (after --limit) and contacts none', async () => {
  const dir = await project({ 'site.yaml': SITE, 'inventory.yaml': LOCAL_INVENTORY })
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--list-hosts', '-l', 'alpha:gamma'], dir)
  assert.equal(run.code, 0, run.stderr)
  assert.match(run.stdout, /play #1 \(web\): web setup\tTAGS: \[\]\n    pattern: \['web'\]\n    hosts \(1\):\n      alpha\n/)
  assert.match(run.stdout, /play #2 \(db\): db setup[^\n]*\n    pattern: \['db'\]\n    hosts \(1\):\n      gamma/)
  assert.ok(!existsSync(join(dir, 'first')))
})

test('--list-tasks lists tasks with their (inherited) tags, filtered by --tags; --list-tags the tags', async () => {
  const dir = await project({ 'site.yaml': SITE, 'inventory.yaml': LOCAL_INVENTORY })
  const all = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--list-tasks'], dir)
  assert.match(all.stdout, /    tasks:\n      first step\tTAGS: \[setup\]\n      second step\tTAGS: \[deploy\]\n      third step\tTAGS: \[deploy, web\]/)
  const deploy = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--list-tasks', '--tags', 'deploy'], dir)
  assert.doesNotMatch(deploy.stdout, /first step/)
  assert.match(deploy.stdout, /second step/)
  const tags = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--list-tags'], dir)
  assert.match(tags.stdout, /TASK TAGS: \[deploy, setup, web\]/)
  assert.ok(!existsSync(join(dir, 'first')))
})

test('--start-at-task skips the tasks before the named one; a name matching nothing is refused', async () => {
  const dir = await project({ 'site.yaml': SITE, 'inventory.yaml': LOCAL_INVENTORY })
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '-l', 'alpha', '--start-at-task', 'second*'], dir)
  assert.equal(run.code, 0, run.stdout + run.stderr)
  assert.ok(!existsSync(join(dir, 'first')))
  assert.ok(existsSync(join(dir, 'second')) && existsSync(join(dir, 'third')))
  assert.doesNotMatch(run.stdout, /first step/)
  const wrong = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--start-at-task', 'fourth step'], dir)
  assert.equal(wrong.code, 5)
  assert.match(wrong.stderr, /no task named `fourth step`/)
})

test('--syntax-check validates like `tend validate` and runs nothing', async () => {
  const dir = await project({ 'site.yaml': SITE, 'bad.yaml': '- hosts: web\n  tasks:\n    - comand: [ls]\n', 'inventory.yaml': LOCAL_INVENTORY })
  const ok = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--syntax-check'], dir)
  assert.equal(ok.code, 0, ok.stderr)
  assert.match(ok.stdout, /site.yaml: valid/)
  assert.ok(!existsSync(join(dir, 'first')))
  const bad = await tend(['run', 'bad.yaml', '-i', 'inventory.yaml', '--syntax-check'], dir)
  assert.equal(bad.code, 5)
  assert.match(bad.stderr, /bad.yaml:3:7: unknown module `comand`/)
})

const VERBOSE = `- hosts: alpha
  tasks:
    - name: public
      shell: "echo visible-output"
    - name: secret
      shell: "echo hunter2-secret"
      no_log: true
`

test('-v adds results, -vv each command with duration and exit code, -vvv its output; never for no_log', async () => {
  const dir = await project({ 'site.yaml': VERBOSE, 'inventory.yaml': LOCAL_INVENTORY })
  const quiet = await tend(['run', 'site.yaml', '-i', 'inventory.yaml'], dir)
  assert.doesNotMatch(quiet.stdout, /=> \{/)
  const v = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '-v'], dir)
  assert.match(v.stdout, /=> \{.*"stdout":"visible-output\\n"/)
  assert.doesNotMatch(v.stdout, /\$ \/bin\/sh/)
  const vv = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '-vv'], dir)
  assert.match(vv.stdout, /\[alpha\] \$ \/bin\/sh -c 'echo visible-output'  \(\d+ ms, rc=0\)/)
  assert.doesNotMatch(vv.stdout, /\| visible-output/)
  const vvv = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '-vvv'], dir)
  assert.match(vvv.stdout, /stdout:\n\s+\| visible-output/)
  for (const run of [v, vv, vvv]) {
    assert.equal(run.code, 0, run.stderr)
    assert.doesNotMatch(run.stdout + run.stderr, /hunter2/)
  }
})

test('-b/--become-user escalate where the inventory and playbook say nothing', async () => {
  const dir = await project({ 'site.yaml': '- hosts: alpha\n  tasks:\n    - command: [id, -un]\n      register: who\n', 'inventory.yaml': LOCAL_INVENTORY })
  const run = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '-b', '--become-user', 'nobody', '--json'], dir)
  assert.equal(run.code, 0, run.stderr)
  const end = eventsOf(run.stdout, 'task-end')[0]
  assert.equal(String(end?.result?.stdout).trim(), 'nobody')
})

test('-u and --private-key are the ssh user and key where the inventory names none', async () => {
  const host = await leaseHost()
  const inventory = `${host.name} ansible_host=${host.address} ansible_port=${host.port} tend_known_hosts_file=${host.knownHostsFile}\n`
  const dir = await project({ 'site.yaml': '- hosts: all\n  tasks:\n    - command: [id, -un]\n      register: who\n', hosts: inventory })
  const root = await tend(['run', 'site.yaml', '-i', 'hosts', '-u', 'root', '--private-key', host.keyFile, '--json'], dir)
  assert.equal(root.code, 0, root.stdout + root.stderr)
  const end = eventsOf(root.stdout, 'task-end')[0]
  assert.equal(String(end?.result?.stdout).trim(), 'root')
  const nobody = await tend(['run', 'site.yaml', '-i', 'hosts', '-u', 'nobody', '--private-key', host.keyFile], dir)
  assert.equal(nobody.code, 4, nobody.stdout)
  assert.match(nobody.stdout, /unreachable: \[/)
})
