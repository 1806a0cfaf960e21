/**
 * The live views on a real terminal: a tmux pane (a real pty and a real terminal emulator), read
 * back with capture-pane as the operator would see it, and `script` for a pty that reports no size.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
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
