/** include_tasks, import_tasks, import_playbook and roles through the real CLI on local hosts. */
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { LOCAL_INVENTORY, cleanEnv, project, tend } from '../cli/support.js'
import { eventsIn } from '../support/events.js'

type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>

async function run(files: Record<string, string>, args: string[] = [], env = cleanEnv()) {
  const dir = await project({ 'inventory.yaml': LOCAL_INVENTORY, ...files })
  const result = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--json', ...args], dir, env)
  const events = eventsIn(result.stdout)
  const ends = events.filter((e): e is TaskEnd => e.type === 'task-end')
  const recap = events.find((e) => e.type === 'recap')
  return { ...result, dir, ends, recap: recap?.type === 'recap' ? recap.hosts : {}, of: (host: string) => ends.filter((e) => e.host === host) }
}

test('include_tasks runs per loop item with the item bound, judges when per item, and reads a templated name when reached', async () => {
  const r = await run({
    'site.yaml': `- hosts: alpha
  vars: { part: extra }
  tasks:
    - name: each
      include_tasks: step.yaml
      loop: [one, two, three]
      loop_control: { loop_var: step }
      when: step != 'two'
    - include_tasks: "{{ part }}.yaml"
    - include_tasks: step.yaml
      when: false
`,
    'step.yaml': '- name: "step {{ step }}"\n  debug: { msg: "{{ step }}" }\n',
    'extra.yaml': '- name: extra\n  debug: { msg: from extra }\n',
  })
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.deepEqual(r.of('alpha').map((e) => `${e.status} ${e.task}`), [
    'ok include_tasks: step.yaml (item=one)', 'ok step one',
    'ok include_tasks: step.yaml (item=three)', 'ok step three',
    'ok include_tasks: {{ part }}.yaml', 'ok extra',
    'skipped include_tasks: step.yaml',
  ])
})

test('import_tasks is static: its tasks take the import\'s when and tags, and are listed by --list-tasks', async () => {
  const files = {
    'site.yaml': `- hosts: alpha:gamma
  tasks:
    - import_tasks: tasks/web.yaml
      when: "'web' in group_names"
      tags: [web]
`,
    'tasks/web.yaml': '- name: web one\n  debug: { msg: one }\n- name: web two\n  import_tasks: two.yaml\n',
    'tasks/two.yaml': '- name: web two\n  debug: { msg: two }\n',
  }
  const r = await run(files)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.deepEqual(r.of('alpha').map((e) => `${e.status} ${e.task}`), ['ok web one', 'ok web two'])
  assert.deepEqual(r.of('gamma').map((e) => e.status), ['skipped', 'skipped'])
  const listed = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--list-tasks'], r.dir)
  assert.match(listed.stdout, /web one\tTAGS: \[web\]\n      web two\tTAGS: \[web\]/)
})

test('import_playbook runs the imported plays in place, with the entry\'s vars', async () => {
  const r = await run({
    'site.yaml': '- import_playbook: plays/other.yaml\n  vars: { who: imported }\n- hosts: beta\n  tasks:\n    - { name: local, debug: { msg: here } }\n',
    'plays/other.yaml': '- hosts: alpha\n  tasks:\n    - { name: other, debug: { msg: "{{ who }}" } }\n',
  })
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.equal(r.ends.find((e) => e.task === 'other')?.message, 'imported')
  assert.equal(r.ends.find((e) => e.task === 'local')?.host, 'beta')
})

const ROLE = {
  'roles/app/defaults/main.yml': 'app_port: 8000\napp_name: default-name\n',
  'roles/app/vars/main.yml': 'app_conf: "{{ playbook_dir }}/{{ inventory_hostname }}.conf"\n',
  'roles/app/meta/main.yml': 'dependencies:\n  - common\n',
  'roles/app/tasks/main.yml': `- name: config
  template: { src: app.conf.j2, dest: "{{ app_conf }}" }
  notify: restart app
- name: static file
  copy: { src: motd, dest: "{{ playbook_dir }}/{{ inventory_hostname }}.motd" }
`,
  'roles/app/templates/app.conf.j2': 'name={{ app_name }} port={{ app_port }}\n',
  'roles/app/files/motd': 'literal {{ not rendered }}\n',
  'roles/app/handlers/main.yml': '- name: restart app\n  debug: { msg: "restart {{ app_name }}" }\n',
  'roles/app/tasks/extra.yml': '- name: extra task\n  debug: { msg: "extra {{ app_port }}" }\n',
  'roles/common/tasks/main.yml': '- name: common\n  debug: { msg: common }\n',
}

test('roles: dependencies first and once, defaults below the inventory, vars, templates/, files/, handlers', async () => {
  const r = await run({
    ...ROLE,
    'inventory.yaml': 'all:\n  hosts:\n    alpha: { ansible_connection: local, app_name: from-inventory }\n    beta: { ansible_connection: local }\n',
    'site.yaml': `- hosts: all
  roles:
    - app
    - common
  tasks:
    - include_role: { name: app, tasks_from: extra }
`,
  })
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.equal(readFileSync(join(r.dir, 'alpha.conf'), 'utf8'), 'name=from-inventory port=8000\n')
  assert.equal(readFileSync(join(r.dir, 'beta.conf'), 'utf8'), 'name=default-name port=8000\n')
  assert.equal(readFileSync(join(r.dir, 'beta.motd'), 'utf8'), 'literal {{ not rendered }}\n')
  assert.deepEqual(r.of('alpha').map((e) => `${e.status} ${e.task}`), [
    'ok common', 'changed config', 'changed static file', 'ok include_role: app', 'ok extra task', 'ok restart app',
  ])
  assert.equal(r.of('beta').find((e) => e.task === 'restart app')?.message, 'restart default-name')
})

test('roles are found through TEND_ROLES_PATH; a missing role names where it was looked for', async () => {
  const shared = await mkdtemp(join(tmpdir(), 'tend-roles-'))
  for (const [path, text] of Object.entries(ROLE)) {
    await mkdir(join(shared, path, '..'), { recursive: true })
    await writeFile(join(shared, path), text)
  }
  const site = '- hosts: alpha\n  roles: [common]\n'
  const found = await run({ 'site.yaml': site }, [], cleanEnv({ TEND_ROLES_PATH: `/nonexistent:${join(shared, 'roles')}` }))
  assert.equal(found.code, 0, found.stdout + found.stderr)
  assert.equal(found.ends[0]?.task, 'common')
  const missing = await run({ 'site.yaml': site })
  assert.equal(missing.code, 5)
  assert.match(missing.stderr, /site.yaml:2:11: role `common` not found\n[^]*hint: Searched: .*roles\/common/)
})

test('import_role is static with its when; include_role runs per loop item with the item bound', async () => {
  const r = await run({
    ...ROLE,
    'roles/greet/tasks/main.yml': '- name: "greet {{ who }}"\n  ansible.builtin.debug: { msg: "hello {{ who }} on {{ app_port }}" }\n',
    'roles/greet/defaults/main.yml': 'who: nobody\napp_port: 1\n',
    'site.yaml': `- hosts: alpha:gamma
  tasks:
    - import_role: { name: common }
      when: inventory_hostname == 'alpha'
    - include_role: { name: greet }
      loop: [ann, bob]
      loop_control: { loop_var: who }
`,
  })
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.deepEqual(r.of('alpha').map((e) => `${e.status} ${e.task}${e.message ? ` — ${e.message}` : ''}`), [
    'ok common — common',
    'ok include_role: greet (item=ann)', 'ok greet ann — hello ann on 1',
    'ok include_role: greet (item=bob)', 'ok greet bob — hello bob on 1',
  ])
  assert.equal(r.of('gamma')[0]?.status, 'skipped')
})
