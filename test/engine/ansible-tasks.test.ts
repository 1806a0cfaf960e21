/** Ansible's task vocabulary through the real CLI on local hosts: each keyword changes what happens. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { LOCAL_INVENTORY, project, tend } from '../cli/support.js'
import { eventsIn } from '../support/events.js'

type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>

async function run(playbook: string, args: string[] = [], files: Record<string, string> = {}) {
  const dir = await project({ 'site.yaml': playbook, 'inventory.yaml': LOCAL_INVENTORY, ...files })
  const result = await tend(['run', 'site.yaml', '-i', 'inventory.yaml', '--json', ...args], dir)
  const events = eventsIn(result.stdout)
  const ends = events.filter((e): e is TaskEnd => e.type === 'task-end')
  const recap = events.find((e) => e.type === 'recap')
  return { ...result, dir, ends, recap: recap?.type === 'recap' ? recap.hosts : {}, end: (host: string, task: string) => ends.find((e) => e.host === host && e.task === task) }
}

test('loop with loop_control: loop_var, index_var, label; per-item when; registered results as Ansible', async () => {
  const r = await run(`- hosts: alpha
  tasks:
    - name: each
      command: [echo, "{{ pkg.name }}-{{ i }}"]
      loop: [{ name: a }, { name: b }, { name: c }]
      loop_control: { loop_var: pkg, index_var: i, label: "{{ pkg.name }}" }
      when: pkg.name != 'b'
      register: out
    - name: show
      debug: { var: "out.results[2].stdout_lines" }
    - name: counts
      assert:
        that:
          - out.results | length == 3
          - out.results[1].skipped
          - out.results[2].pkg.name == 'c'
          - out.results[2].i == 2
          - out.changed
          - out.msg == 'All items completed'
`)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  const each = r.end('alpha', 'each')!
  assert.equal(each.status, 'changed')
  assert.deepEqual(each.changes.map((c) => c.summary), ['(item=a) run echo a-0', '(item=c) run echo c-2'])
  assert.equal(r.end('alpha', 'show')!.message, 'out.results[2].stdout_lines: ["c-2"]')
  assert.equal(r.end('alpha', 'counts')!.status, 'ok')
})

test('with_items flattens one level, with_list does not, with_dict gives key/value; an empty loop is skipped', async () => {
  const r = await run(`- hosts: alpha
  vars: { nested: [[1, 2], 3] }
  tasks:
    - { name: items, set_fact: { seen: "{{ (seen | default('')) ~ item ~ ',' }}" }, with_items: "{{ nested }}" }
    - { name: check items, assert: { that: "seen == '1,2,3,'" } }
    - { name: list, set_fact: { listed: "{{ (listed | default('')) ~ (item | to_json) ~ ';' }}" }, with_list: "{{ nested }}" }
    - { name: check list, assert: { that: "listed == '[1, 2];3;'" } }
    - { name: dict, set_fact: { pairs: "{{ (pairs | default('')) ~ item.key ~ '=' ~ item.value ~ ',' }}" }, with_dict: { a: 1, b: 2 } }
    - { name: check dict, assert: { that: "pairs == 'a=1,b=2,'" } }
    - { name: none, debug: { msg: never }, loop: [] }
`)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  for (const name of ['check items', 'check list', 'check dict']) assert.equal(r.end('alpha', name)!.status, 'ok', name)
  assert.equal(r.end('alpha', 'none')!.status, 'skipped')
})

test('loop_control.pause waits between items (seen in the items\' own timestamps)', async () => {
  const r = await run(`- hosts: alpha
  tasks:
    - { name: stamp, command: [date, +%s.%N], loop: [1, 2], loop_control: { pause: 1.2 }, register: t }
    - { name: gap, assert: { that: "(t.results[1].stdout | float) - (t.results[0].stdout | float) >= 1.2" } }
`)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.equal(r.end('alpha', 'gap')!.status, 'ok')
})

test('set_fact values are data: a host\'s output holding braces is never rendered again', async () => {
  const r = await run(`- hosts: alpha
  tasks:
    - { name: out, shell: "echo '{{ \\"{{\\" }} 6 * 7 }}'", register: o }
    - { name: keep, set_fact: { raw: "{{ o.stdout_lines[0] }}" } }
    - { name: show, debug: { var: raw } }
    - { name: msg, debug: { msg: "got {{ raw }}" } }
`)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.equal(r.end('alpha', 'show')!.message, 'raw: {{ 6 * 7 }}')
  assert.equal(r.end('alpha', 'msg')!.message, 'got {{ 6 * 7 }}')
})

test('assert fails with fail_msg, fail fails with msg; both stop the host (exit 2)', async () => {
  const r = await run(`- hosts: alpha:beta
  tasks:
    - { name: check, assert: { that: ["inventory_hostname == 'alpha'"], fail_msg: "only alpha passes" } }
    - { name: stop, fail: { msg: "stopped {{ inventory_hostname }}" }, when: inventory_hostname == 'alpha' }
    - { name: after, debug: { msg: unreachable } }
`)
  assert.equal(r.code, 2)
  assert.equal(r.end('alpha', 'check')!.status, 'ok')
  assert.equal(r.end('beta', 'check')!.status, 'failed')
  assert.equal(r.end('beta', 'check')!.message, 'only alpha passes')
  assert.equal(r.end('alpha', 'stop')!.message, 'stopped alpha')
  assert.equal(r.end('alpha', 'after'), undefined)
})

test('run_once runs on one host of the batch; every host gets its registered result', async () => {
  const r = await run(`- hosts: web
  tasks:
    - { name: once, shell: "echo {{ inventory_hostname }} >> ran.txt; echo {{ inventory_hostname }}", register: who, run_once: true }
    - { name: both, debug: { msg: "{{ who.stdout | trim }}" } }
`)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  const lines = readFileSync(join(r.dir, 'ran.txt'), 'utf8').trim().split('\n')
  assert.equal(lines.length, 1)
  assert.equal(r.ends.filter((e) => e.task === 'once').length, 1)
  assert.equal(r.end('alpha', 'both')!.message, lines[0])
  assert.equal(r.end('beta', 'both')!.message, lines[0])
})

test('ignore_unreachable counts an unreachable host as ignored and keeps it in the play', async () => {
  const r = await run(`- hosts: gone
  tasks:
    - { name: try, command: ["true"], ignore_unreachable: true }
    - { name: local, debug: { msg: still here } }
`, [], { 'inventory.yaml': 'all:\n  hosts:\n    gone: { ansible_host: 127.0.0.1, ansible_port: 1 }\n' })
  assert.equal(r.end('gone', 'try')!.status, 'ignored')
  assert.equal(r.end('gone', 'local')!.status, 'ok')
  assert.equal(r.recap.gone!.unreachable, 0)
  assert.equal(r.code, 0, r.stdout)
})

test('notify is templated per host; handlers ignore --tags, as in Ansible', async () => {
  const r = await run(`- hosts: all
  tasks:
    - { name: change, command: ["true"], notify: "restart {{ 'db' if 'db' in group_names else 'web' }}", tags: [deploy] }
  handlers:
    - { name: restart web, debug: { msg: web } }
    - { name: restart db, debug: { msg: db } }
`, ['--tags', 'deploy'])
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.equal(r.end('alpha', 'restart web')?.status, 'ok')
  assert.equal(r.end('alpha', 'restart db'), undefined)
  assert.equal(r.end('gamma', 'restart db')?.status, 'ok')
  assert.equal(r.end('gamma', 'restart web'), undefined)
})

test('ansible.builtin names: command strings are split as Ansible does, copy content/dest writes a file', async () => {
  const r = await run(`- hosts: alpha
  vars: { word: "two words" }
  tasks:
    - { name: split, ansible.builtin.command: "printf '%s|' a 'b c' \\"{{ word }}\\"", register: p }
    - { name: show, debug: { var: p.stdout } }
    - { name: copy, ansible.builtin.copy: { content: "hello {{ word }}\\n", dest: "{{ playbook_dir }}/copied.txt", mode: "0640" } }
    - { name: shell, ansible.builtin.shell: "test -s copied.txt" }
`)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.equal(r.end('alpha', 'show')!.message, 'p.stdout: a|b c|two words|')
  assert.equal(readFileSync(join(r.dir, 'copied.txt'), 'utf8'), 'hello two words\n')
  assert.equal(r.end('alpha', 'copy')!.status, 'changed')
})

test('Ansible modules and keywords tend lacks are each named with what to use instead, all at once', async () => {
  const dir = await project({
    'site.yaml': `- hosts: all
  vars_prompt: []
  tasks:
    - apt: { name: nginx }
    - ansible.builtin.lineinfile: { path: /etc/x, line: y }
    - command: ["true"]
      delegate_to: localhost
    - community.general.ufw: { rule: allow }
    - debug: { msg: "{{ {} | json_query('a') }}" }
`,
    'inventory.yaml': LOCAL_INVENTORY,
  })
  const r = await tend(['validate', 'site.yaml', '-i', 'inventory.yaml'], dir)
  assert.equal(r.code, 5)
  assert.match(r.stderr, /site.yaml:2:3: Ansible's play keyword `vars_prompt` is not in tend\n[^]*hint: tend never prompts/)
  assert.match(r.stderr, /site.yaml:4:7: unknown module `apt`\n[^]*hint: Ansible's `apt` is not in tend: tend has no package module/)
  assert.match(r.stderr, /site.yaml:5:7: unknown module `ansible.builtin.lineinfile`[^]*use `template` or `file` with `content`/)
  assert.match(r.stderr, /site.yaml:7:7: Ansible's task keyword `delegate_to` is not in tend/)
  assert.match(r.stderr, /site.yaml:8:7: unknown module `community.general.ufw`[^]*no equivalent/)
  assert.match(r.stderr, /site.yaml:9:30: unknown filter `json_query`/)
  assert.match(r.stderr, /6 problems found/)
})

test('args: adds arguments to the module, as Ansible\'s', async () => {
  const r = await run(`- hosts: alpha
  tasks:
    - { name: here, command: pwd, args: { chdir: /tmp }, register: w }
    - { name: show, debug: { var: "w.stdout_lines[0]" } }
`)
  assert.equal(r.code, 0, r.stdout + r.stderr)
  assert.equal(r.end('alpha', 'show')!.message, 'w.stdout_lines[0]: /tmp')
})
