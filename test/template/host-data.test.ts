/**
 * Host data is data: a value that came from a host never picks a controller file, never becomes
 * an expression, and cannot forge `omit`; copy's source is copied byte for byte. Real `tend run`
 * processes on the local transport.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { finished, LOCAL_INVENTORY, project, start } from '../cli/support.js'
import { eventLine } from '../support/events.js'

const play = (tasks: string, vars = ''): string => `- name: host data
  hosts: alpha
${vars}  tasks:
    - name: read a path from the host
      command: [echo, /etc/shadow]
      register: r
${tasks}`

async function run(files: Record<string, string>, args: readonly string[] = []): Promise<{ code: number | null; out: string; dir: string }> {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, ...files })
  const result = await finished(start(['run', 'site.yaml', ...args], dir))
  return { code: result.code, out: result.stdout + result.stderr, dir }
}

const SHADOW_LINE = /root:[^\n]*:\d+:/

test('template src chosen by a registered result is refused, naming the task and the variable', async () => {
  const { code, out } = await run({ 'site.yaml': play(`    - name: render it
      template:
        src: "{{ r.stdout }}"
        dest: ${join(tmpdir(), 'tend-never-shadow')}
`) }, ['--diff'])
  assert.notEqual(code, 0)
  assert.match(out, /task "render it": template src `\{\{ r\.stdout \}\}` is chosen by `r`, a value from the host/)
  assert.doesNotMatch(out, SHADOW_LINE)
})

test('taint follows set_fact and declared variables; authored set_fact stays usable', async () => {
  const tasks = `    - set_fact:
        picked: "{{ r.stdout }}"
        safe: ok.j2
    - name: via set_fact
      template: { src: "{{ picked }}", dest: ${join(tmpdir(), 'tend-never-a')} }
      ignore_errors: true
    - name: via vars
      template: { src: "{{ chosen }}", dest: ${join(tmpdir(), 'tend-never-b')} }
      vars:
        chosen: "{{ r.stdout_lines | first }}"
      ignore_errors: true
    - name: authored
      template: { src: "{{ safe }}", dest: "{{ playbook_dir }}/out.txt" }
`
  const { code, out, dir } = await run({ 'site.yaml': play(tasks), 'ok.j2': 'fine {{ 1 + 1 }}\n' })
  assert.equal(code, 0, out)
  assert.match(out, /task "via set_fact": template src `\{\{ picked \}\}` is chosen by `picked`/)
  assert.match(out, /task "via vars": template src `\{\{ chosen \}\}` is chosen by `chosen \(from r\)`/)
  assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'fine 2\n')
})

test('include_tasks and lookup(file) named by host data are refused', async () => {
  const tasks = `    - name: include it
      include_tasks: "{{ r.stdout }}"
      ignore_errors: true
    - name: look it up
      debug:
        msg: "{{ lookup('file', r.stdout) }}"
`
  const { code, out } = await run({ 'site.yaml': play(tasks) })
  assert.notEqual(code, 0)
  assert.match(out, /task "include_tasks: \{\{ r\.stdout \}\}": the file .* is chosen by `r`/)
  assert.match(out, /calls a lookup and reads `r`, a value from the host/)
  assert.doesNotMatch(out, SHADOW_LINE)
})

test('debug var takes a variable name: host text is refused, an authored name works', async () => {
  const tasks = `    - name: hostile lines
      command: [printf, '%s\\n', "lookup('pipe', 'id')", "r.stdout"]
      register: lines
    - name: print them by name
      debug:
        var: "{{ item }}"
      loop: "{{ lines.stdout_lines }}"
      ignore_errors: true
    - name: an authored name
      debug:
        var: "{{ 'r' ~ '.stdout' }}"
`
  const { code, out } = await run({ 'site.yaml': play(tasks) })
  assert.equal(code, 0, out)
  assert.match(out, /takes a variable name, and this one comes from `item`, a value from the host/)
  assert.match(out, /r\.stdout: \/etc\/shadow/)
  assert.doesNotMatch(out, /uid=\d+/)
})

test('omit is a per-run token: host output equal to the old fixed placeholder deletes nothing', async () => {
  const tasks = `    - command: [echo, __tend_omit_place_holder__]
      register: o
    - name: show it
      debug:
        msg: "{{ o.stdout }}"
    - name: omit still omits
      debug:
        msg: "{{ omit }}"
`
  const { code, out } = await run({ 'site.yaml': play(tasks) }, ['--json'])
  assert.equal(code, 0, out)
  const events = out.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => eventLine<{ type: string; task?: string; message?: string }>(l))
  assert.equal(events.find((e) => e.type === 'task-end' && e.task === 'show it')?.message?.trim(), '__tend_omit_place_holder__')
  assert.doesNotMatch(events.find((e) => e.type === 'task-end' && e.task === 'omit still omits')?.message ?? '', /__tend_omit_place_holder__/)
})

test('copy src is copied verbatim: template syntax in the file, {% endraw %} included, is not rendered', async () => {
  const content = 'a {{ 1 + 1 }} b {% endraw %}{{ 7 * 7 }} {# c #} {% raw %}\n'
  const { code, out, dir } = await run({
    'site.yaml': `- name: copy
  hosts: alpha
  tasks:
    - copy:
        src: files/raw.txt
        dest: "{{ playbook_dir }}/copied.txt"
`,
    'files/raw.txt': content,
  })
  assert.equal(code, 0, out)
  assert.equal(readFileSync(join(dir, 'copied.txt'), 'utf8'), content)
})
