/**
 * The live views on a real terminal: a tmux pane (a real pty and a real terminal emulator), read
 * back with capture-pane as the operator would see it, and `script` for a pty that reports no size.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, test } from 'node:test'
import { shQuote } from '../../src/transport/quote.js'
import { TEND, cleanEnv, project } from './support.js'

const INVENTORY = 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n    beta: { ansible_connection: local }\n    gamma: { ansible_connection: local }\n'
const PLAYBOOK = `- hosts: all
  tasks:
    - name: a task name long enough to be wider than a narrow terminal once the host and status are added to it
      command: "true"
      changed_when: false
`

const socket = `tend-test-${process.pid}`
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
after(() => {
  try {
    tmux('kill-server')
  } catch {
    // no server left
  }
})

function envPrefix(): string {
  const env = cleanEnv()
  return ['TEND_LOCK_DIR', 'TEND_STATE_DIR'].map((k) => `${k}=${shQuote(env[k] ?? '')}`).join(' ')
}

test('tend watch on a 60-column terminal redraws in place: after many refreshes, one title and one line per host', async () => {
  const dir = await project({ 'pb.yaml': PLAYBOOK, 'inv.yaml': INVENTORY })
  const command = `cd ${shQuote(dir)} && ${envPrefix()} ${shQuote(process.execPath)} ${shQuote(TEND)} watch pb.yaml -i inv.yaml --every 1s --state-dir ${shQuote(join(dir, 'state'))}; echo "exit=$?"; sleep 60`
  tmux('new-session', '-d', '-s', 'watch', '-x', '60', '-y', '20', command)
  // Twenty refreshes and several cycles per host.
  await sleep(10_000)
  const screen = tmux('capture-pane', '-p', '-t', 'watch')
  const lines = screen.split('\n')
  assert.equal(lines.filter((l) => l.startsWith('tend watch: 3 host(s)')).length, 1, screen)
  for (const host of ['alpha', 'beta', 'gamma']) assert.equal(lines.filter((l) => l.startsWith(`  ${host} `)).length, 1, screen)
  assert.ok(lines.every((l) => l.length <= 60), screen)
  assert.match(screen, /alpha\s+\S+\s+ok\s+checked/)
  tmux('send-keys', '-t', 'watch', 'C-c')
  let final = ''
  for (let i = 0; i < 40 && !/exit=\d+/.test(final); i++) {
    await sleep(250)
    final = tmux('capture-pane', '-p', '-t', 'watch')
  }
  assert.match(final, /exit=0/, final)
  assert.equal(final.split('\n').filter((l) => l.startsWith('  alpha ')).length, 1, final)
})

test('a pty that reports 0 columns gets plain lines, not a live view', async () => {
  const dir = await project({ 'pb.yaml': PLAYBOOK, 'inv.yaml': INVENTORY })
  const run = `stty cols 0 rows 0; cd ${shQuote(dir)} && ${envPrefix()} ${shQuote(process.execPath)} ${shQuote(TEND)} run pb.yaml -i inv.yaml --state-dir ${shQuote(join(dir, 'state'))}`
  const raw = execFileSync('script', ['-qec', run, '/dev/null'], { encoding: 'utf8' })
  assert.doesNotMatch(raw, /\x1b\[\d*[AF]/, 'no cursor movement: nothing is redrawn')
  const out = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
  assert.match(out, /ok: \[alpha\] a task name long enough/)
  assert.match(out, /PLAY RECAP/)
})

test('to a pipe, a task says when it starts and, while it runs, every heartbeat how long it has been running', async () => {
  const dir = await project({ 'pb.yaml': '- hosts: all\n  tasks:\n    - name: slow one\n      command: sleep 3\n', 'inv.yaml': 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n' })
  const { tend } = await import('./support.js')
  const run = await tend(['run', 'pb.yaml', '-i', 'inv.yaml', '--state-dir', join(dir, 'state')], dir, cleanEnv({ TEND_HEARTBEAT_SECONDS: '1' }))
  assert.equal(run.code, 0, run.stderr)
  const lines = run.stdout.split('\n')
  const started = lines.indexOf('→ [alpha] slow one')
  const beats = lines.flatMap((l, i) => (/^… \[alpha\] slow one: still running after \ds$/.test(l) ? [i] : []))
  const ended = lines.findIndex((l) => l.startsWith('changed: [alpha] slow one'))
  assert.ok(started >= 0 && beats.length >= 2 && ended > 0, run.stdout)
  assert.ok(started < beats[0]! && beats.at(-1)! < ended, run.stdout)
})

test('the live view of a run: host counts are the recap\'s, and a play with a failed host never shows a green ✔', async () => {
  const dir = await project({
    'pb.yaml': `- hosts: all
  tasks:
    - name: mark
      file: { path: "{{ playbook_dir }}/m-{{ inventory_hostname }}", content: "x" }
    - name: beta fails
      command: "test {{ inventory_hostname }} != beta"
      changed_when: false
`,
    'inv.yaml': 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n    beta: { ansible_connection: local }\n',
  })
  const run = `stty cols 120 rows 40; cd ${shQuote(dir)} && ${envPrefix()} ${shQuote(process.execPath)} ${shQuote(TEND)} run pb.yaml -i inv.yaml --state-dir ${shQuote(join(dir, 'state'))}`
  const done = spawnSync('script', ['-qec', run, '/dev/null'], { encoding: 'utf8' })
  assert.equal(done.status, 2, 'a host failed')
  const out = done.stdout.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replaceAll('\r', '\n')
  const lines = out.split('\n').filter((l) => l.trim() !== '')
  const last = (pattern: RegExp) => lines.filter((l) => pattern.test(l)).at(-1) ?? ''
  assert.doesNotMatch(last(/PLAY \[all\]/), /✔/, out)
  // The recap: alpha ok=2 changed=1; beta ok=1 changed=1 failed=1. The live lines say the same.
  assert.match(last(/^\s+\S+ alpha\s/), /alpha\s+ok=2 changed=1\b/, out)
  assert.match(last(/^\s+\S+ beta\s/), /beta\s+ok=1 changed=1 failed=1\b/, out)
  assert.match(out, /alpha\s+: ok=2\s+changed=1/)
})

test('Ctrl-C at a real terminal: the local command in hand is not signalled, it finishes, nothing new starts (exit 130)', async () => {
  const dir = await project({
    'pb.yaml': `- hosts: all
  tasks:
    - name: slow change
      shell: sleep 3 && touch {{ playbook_dir }}/slow-done
    - name: next
      shell: touch {{ playbook_dir }}/next-done
`,
    'inv.yaml': 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n',
  })
  const command = `cd ${shQuote(dir)} && ${envPrefix()} ${shQuote(process.execPath)} ${shQuote(TEND)} run pb.yaml -i inv.yaml --state-dir ${shQuote(join(dir, 'state'))}; echo "exit=$?"; sleep 60`
  tmux('new-session', '-d', '-s', 'ctrlc', '-x', '120', '-y', '30', command)
  const { existsSync } = await import('node:fs')
  // The slow change is running (its shell is up) when the operator presses Ctrl-C.
  for (let i = 0; i < 100 && tmux('capture-pane', '-p', '-t', 'ctrlc').indexOf('slow change') < 0; i++) await sleep(100)
  await sleep(1000)
  tmux('send-keys', '-t', 'ctrlc', 'C-c')
  let screen = ''
  for (let i = 0; i < 80 && !/exit=\d+/.test(screen); i++) {
    await sleep(250)
    screen = tmux('capture-pane', '-p', '-J', '-t', 'ctrlc')
  }
  assert.match(screen, /exit=130/, screen)
  assert.ok(existsSync(join(dir, 'slow-done')), `the change in hand was cut off:\n${screen}`)
  assert.ok(!existsSync(join(dir, 'next-done')), 'a new task started after Ctrl-C')
  assert.match(screen, /changed: \[alpha\] slow change/)
})
