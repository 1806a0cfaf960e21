/**
 * No template, pattern or include can hold tend: each hostile case fails fast with a clear message,
 * and a run busy with any of them answers SIGTERM within a second. Real `tend run` processes on
 * the local transport.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { finished, LOCAL_INVENTORY, project, start } from '../cli/support.js'

interface Case {
  readonly name: string
  readonly files: Readonly<Record<string, string>>
  readonly args?: readonly string[]
  /** What the error says. */
  readonly message: RegExp
}

const play = (tasks: string): string => `- name: bounds
  hosts: alpha
  tasks:
${tasks}`

const CASES: readonly Case[] = [
  {
    name: 'nested range loops',
    files: { 'site.yaml': play(`    - debug:
        msg: "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
`) },
    message: /template stopped after [\d,]+ steps/,
  },
  {
    name: 'a macro that calls itself',
    files: { 'site.yaml': play(`    - debug:
        msg: "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}"
`) },
    message: /calls itself more than \d+ levels deep/,
  },
  {
    name: 'a templated include that includes itself',
    files: {
      'site.yaml': play(`    - include_tasks: "{{ 'again.yaml' }}"
`),
      'again.yaml': `- include_tasks: "{{ 'again' ~ '.yaml' }}"
`,
    },
    message: /is a cycle/,
  },
  {
    name: 'a template file that includes itself',
    files: {
      'site.yaml': play(`    - template:
        src: self.j2
        dest: /tmp/tend-bounds-never-written
`),
      'self.j2': 'again: {% include "self.j2" %}\n',
    },
    message: /\{% include 'self\.j2' %\} is a cycle/,
  },
  {
    name: 'a catastrophic regex in a filter',
    files: { 'site.yaml': play(`    - debug:
        msg: "{{ (('a' * 5000) ~ 'b') | regex_search('^(a+)+$') }}"
    - debug:
        msg: "{{ ('a' * 40 ~ 'b') is match('^(a+)+$') }} and {{ ('a' * 40 ~ 'b') | regex_replace('^(a|a)+$', 'x') }}"
    - fail:
        msg: "the catastrophic patterns finished"
`) },
    message: /the catastrophic patterns finished/,
  },
  {
    name: 'a catastrophic regex in --limit',
    files: {},
    args: ['--limit', '~^(a+)+$'],
    message: /no hosts? match|matched no host|--limit/i,
  },
  {
    name: 'a 50 MB render',
    files: { 'site.yaml': play(`    - debug:
        msg: "{{ 'x' * 50000000 }}"
`) },
    message: /larger than a template may build|output passed/,
  },
  {
    name: 'a 50 MB template file',
    files: {
      'site.yaml': play(`    - template:
        src: big.j2
        dest: /tmp/tend-bounds-never-written
`),
      'big.j2': '{% for i in range(50000) %}{{ "y" * 1000 }}\n{% endfor %}',
    },
    message: /output passed|larger than a template may build/,
  },
]

const INVENTORY_WITH_LONG_NAME = LOCAL_INVENTORY.replace('        alpha:', `        ${'a'.repeat(40)}b: { ansible_connection: local }\n        alpha:`)

for (const c of CASES) {
  test(`${c.name}: fails fast with a clear message`, async () => {
    const inventory = c.args ? INVENTORY_WITH_LONG_NAME : LOCAL_INVENTORY
    const dir = await project({ 'inventory/local.yaml': inventory, 'site.yaml': c.files['site.yaml'] ?? play('    - debug: {msg: hi}\n'), ...c.files })
    const result = await finished(start(['run', 'site.yaml', ...(c.args ?? [])], dir))
    assert.notEqual(result.code, 0, result.stdout + result.stderr)
    assert.match(result.stdout + result.stderr, c.message)
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .+:\d+:\d+/, 'no JavaScript stack trace')
  })
}

test('a run busy in a long render answers SIGTERM within a second', async () => {
  // Many renders in a loop, each under budget: the process is busy, and must still hear the signal.
  const dir = await project({
    'inventory/local.yaml': LOCAL_INVENTORY,
    'site.yaml': play(`    - debug:
        msg: "{% for a in range(300) %}{% for b in range(2000) %}{% endfor %}{% endfor %}"
      loop: "{{ range(100000) | list }}"
`),
  })
  const child = start(['run', 'site.yaml'], dir)
  const done = finished(child)
  await new Promise((r) => setTimeout(r, 1500))
  const sent = Date.now()
  child.kill('SIGTERM')
  const result = await done
  const took = Date.now() - sent
  assert.ok(took < 1000, `exited ${took} ms after SIGTERM`)
  assert.notEqual(result.code, 0)
})
