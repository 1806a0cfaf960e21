/** Flags that shape a run: -e (pairs, files, inline JSON; later wins), --tags, --skip-tags. */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { LOCAL_INVENTORY, project, tend } from './support.js'

test('-e values reach tasks; a later -e wins over an earlier file; inline JSON keeps types', async () => {
  const dir = await project({
    'inventory/local.yaml': LOCAL_INVENTORY,
    'vars.yaml': 'greeting: from-file\ncount: 1\n',
    'site.yaml': `- name: vars
  hosts: alpha
  tasks:
    - shell: "echo {{ greeting }} {{ count + 1 }} > out.txt"
`,
  })
  const result = await tend(['run', 'site.yaml', '-e', '@vars.yaml', '-e', 'greeting=from-pair', '-e', '{"count": 41}'], dir)
  assert.equal(result.code, 0, result.stderr)
  assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'from-pair 42\n')
})

test('--tags runs only tagged tasks and --skip-tags leaves tagged ones out', async () => {
  const dir = await project({
    'inventory/local.yaml': LOCAL_INVENTORY,
    'site.yaml': `- name: tags
  hosts: alpha
  tasks:
    - { shell: touch a, tags: [one] }
    - { shell: touch b, tags: [two] }
    - { shell: touch c }
`,
  })
  assert.equal((await tend(['run', 'site.yaml', '--tags', 'one,two', '--skip-tags', 'two'], dir)).code, 0)
  assert.deepEqual(['a', 'b', 'c'].map((f) => existsSync(join(dir, f))), [true, false, false])
})
