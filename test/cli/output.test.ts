/** What a user reads: plain lines in logs, the --check plan, --json events, colour rules. */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv, LOCAL_INVENTORY, parseRecap, project, tend, TEND } from './support.js'
import { eventsIn } from '../support/events.js'

const PLAYBOOK = `- name: mixed
  hosts: web
  tasks:
    - name: already there
      command: { argv: [touch, here], creates: site.yaml }
    - name: make stamp
      command: { argv: [touch, "stamp-{{ inventory_hostname }}"], creates: "stamp-{{ inventory_hostname }}" }
    - name: skipped one
      command: ["true"]
      when: inventory_hostname == 'nobody'
    - name: secret
      shell: "echo hunter2-secret"
      no_log: true
`

async function scratch() {
  return project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK })
}

test('plain output has one line per task in Ansible words and an Ansible PLAY RECAP', async () => {
  const result = await tend(['run', 'site.yaml'], await scratch())
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /^PLAY \[mixed\] \*+$/m)
  assert.match(result.stdout, /^ok: \[alpha\] already there$/m)
  assert.match(result.stdout, /^changed: \[beta\] make stamp$/m)
  assert.match(result.stdout, /^skipping: \[alpha\] skipped one/m)
  assert.match(result.stdout, /^alpha {22}: ok=3 {4}changed=2 {4}unreachable=0 {4}failed=0 {4}skipped=1 {4}rescued=0 {4}ignored=0$/m)
  assert.deepEqual(parseRecap(result.stdout).beta, { ok: 3, changed: 2, unreachable: 0, failed: 0, skipped: 1, rescued: 0, ignored: 0 })
  assert.doesNotMatch(result.stdout + result.stderr, /\u001b\[/, 'no colour when stdout is not a terminal')
})

test('a no_log task never shows its output or command', async () => {
  const result = await tend(['run', 'site.yaml'], await scratch())
  assert.doesNotMatch(result.stdout + result.stderr, /hunter2/)
  const json = await tend(['run', 'site.yaml', '--json'], await scratch())
  assert.doesNotMatch(json.stdout + json.stderr, /hunter2/)
})

test('--check shows the plan under each changed task', async () => {
  const result = await tend(['run', 'site.yaml', '--check'], await scratch())
  assert.equal(result.code, 3, result.stderr)
  assert.match(result.stdout, /^changed: \[alpha\] make stamp\n {4}run touch stamp-alpha$/m)
})

test('--json writes only events, one per line, agreeing with the recap', async () => {
  const result = await tend(['run', 'site.yaml', '--json'], await scratch())
  assert.equal(result.code, 0, result.stderr)
  const events = eventsIn<Record<string, unknown>>(result.stdout)
  assert.equal(events[0]?.type, 'run-start')
  assert.equal(events.at(-1)?.type, 'run-end')
  const counted: Record<string, Record<string, number>> = {}
  for (const e of events.filter((e) => e.type === 'task-end')) {
    const host = (counted[e.host as string] ??= {})
    host[e.status as string] = (host[e.status as string] ?? 0) + 1
    // Ansible's recap: a task that changed something, or whose failure was ignored, is also ok.
    if (e.status === 'changed' || e.status === 'ignored') host.ok = (host.ok ?? 0) + 1
  }
  const recap = events.find((e) => e.type === 'recap')?.hosts as Record<string, Record<string, number>>
  for (const [host, counters] of Object.entries(recap)) {
    for (const [status, n] of Object.entries(counters)) assert.equal(counted[host]?.[status] ?? 0, n, `${host} ${status}`)
  }
  assert.equal(recap.alpha?.changed, 2)
})

test('--diff shows a unified diff under the change, and --check leaves the file alone', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'conf.txt': 'old line\nsame\n' })
  await writeFile(join(dir, 'site.yaml'), `- name: files
  hosts: alpha
  tasks:
    - name: write conf
      file: { path: ${join(dir, 'conf.txt')}, content: "new line\\nsame\\n" }
`)
  const result = await tend(['run', 'site.yaml', '--check', '--diff'], dir)
  assert.equal(result.code, 3, result.stderr + result.stdout)
  assert.match(result.stdout, /^ {4}--- \S*conf\.txt\tbefore\n {4}\+\+\+ \S*conf\.txt\tafter\n {4}@@ -1,2 \+1,2 @@\n {4}-old line\n {4}\+new line\n {5}same$/m)
  assert.equal(await readFile(join(dir, 'conf.txt'), 'utf8'), 'old line\nsame\n')
})

test('--limit @FILE runs only the hosts the file lists', async () => {
  const dir = await project({ 'inventory/local.yaml': LOCAL_INVENTORY, 'site.yaml': PLAYBOOK, 'retry': 'beta\n' })
  const result = await tend(['run', 'site.yaml', '--limit', '@retry'], dir)
  assert.equal(result.code, 0, result.stderr)
  assert.deepEqual(Object.keys(parseRecap(result.stdout)), ['beta'])
})

/** Runs tend under `script`, which gives it a pseudo-terminal as stdout. */
function onTerminal(args: string, cwd: string, env: NodeJS.ProcessEnv) {
  const command = `stty cols 120 rows 40; ${process.execPath} ${TEND} ${args}`
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd, env, encoding: 'utf8', timeout: 120_000 })
  return { code: run.status, output: run.stdout }
}

test('on a terminal the live view runs and colours; NO_COLOR turns colour off', async () => {
  const dir = await scratch()
  const coloured = onTerminal('run site.yaml', dir, cleanEnv({ TERM: 'xterm' }))
  assert.equal(coloured.code, 0, coloured.output)
  assert.match(coloured.output, /PLAY RECAP/)
  assert.match(coloured.output, /\u001b\[3\dm/)
  const plain = onTerminal('run site.yaml', dir, cleanEnv({ TERM: 'xterm', NO_COLOR: '1' }))
  assert.equal(plain.code, 0, plain.output)
  assert.match(plain.output, /PLAY RECAP/)
  assert.doesNotMatch(plain.output, /\u001b\[3\dm/)
})

test('on a terminal a batch of many hosts folds into running hosts and counts, then the recap', async () => {
  const hosts = Array.from({ length: 30 }, (_, i) => `    n${i}: { ansible_connection: local }`).join('\n')
  const dir = await project({
    'inventory/local.yaml': `all:\n  hosts:\n${hosts}\n`,
    'site.yaml': '- name: many\n  hosts: all\n  tasks:\n    - name: pause\n      command: [sleep, "0.3"]\n    - name: fail n7\n      shell: "test {{ inventory_hostname }} != n7"\n',
  })
  const run = onTerminal('run site.yaml --forks 10', dir, cleanEnv({ TERM: 'xterm', NO_COLOR: '1' }))
  assert.equal(run.code, 2, run.output)
  assert.match(run.output, /30 hosts · \d+ running · \d+ failed · 0 unreachable/)
  assert.match(run.output, /n\d+ › pause/)
  assert.match(run.output, /failed: \[n7\] fail n7/)
  assert.equal(parseRecap(run.output.replaceAll('\r', '')).n7?.failed, 1)
})
