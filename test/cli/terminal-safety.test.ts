/**
 * Host text on a terminal has its control characters made visible (as less and journalctl do): a
 * failing command whose stderr moves the cursor up, erases the line and prints `ok:` cannot
 * repaint its failure as a success, in plain lines, at -vvv, or in the live view on a real pty
 * (tmux). `--json` keeps the text exact, as JSON escapes.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, test } from 'node:test'
import { visible, visibleEvent } from '../../src/cli/render/visible.js'
import { shQuote } from '../../src/transport/quote.js'
import { TEND, cleanEnv, project, tend } from './support.js'

/** Up one line, erase it, back to column 1, then a success line; a bell and a bidi override too. */
const LIE = 'boom\x1b[1A\x1b[2K\rok: [alpha] all good\x07 \u202Etxt.exe'
const PLAYBOOK = `- hosts: all
  tasks:
    - name: liar
      command: { argv: [sh, -c, "printf 'boom\\\\033[1A\\\\033[2K\\\\rok: [alpha] all good\\\\007 \\\\342\\\\200\\\\256txt.exe' >&2; exit 1"] }
`
const INVENTORY = 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n'
const SHOWN = 'boom\\x1b[1A\\x1b[2K\\x0dok: [alpha] all good\\x07 \\u{202e}txt.exe'

test('visible(): C0/C1 controls and bidi overrides become \\xNN / \\u{NNNN}; newline, tab and text stay', () => {
  assert.equal(visible(LIE), SHOWN)
  assert.equal(visible('a\tb\nc é 日本 ✓'), 'a\tb\nc é 日本 ✓')
  assert.equal(visible('\0\x7f\x9b'), '\\x00\\x7f\\x9b')
  assert.deepEqual(visibleEvent({ type: 'recap', hosts: { 'h\x1b': { ok: 1 } }, list: ['\r'] }), { type: 'recap', hosts: { 'h\\x1b': { ok: 1 } }, list: ['\\x0d'] })
})

test('plain lines (a pipe) and -vvv show the escape sequences as text; the failure stays a failure', async () => {
  const dir = await project({ 'pb.yaml': PLAYBOOK, 'inv.yaml': INVENTORY })
  for (const extra of [[], ['-vvv']]) {
    const run = await tend(['run', 'pb.yaml', '-i', 'inv.yaml', ...extra], dir)
    assert.equal(run.code, 2, run.stderr)
    assert.doesNotMatch(run.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/, 'a raw control character reached the terminal')
    assert.match(run.stdout, /failed: \[alpha\] liar — .*: non-zero exit 1: boom\\x1b\[1A\\x1b\[2K\\x0dok: \[alpha\] all good\\x07 \\u\{202e\}txt\.exe/)
    if (extra.length > 0) assert.ok(run.stdout.includes(`| ${SHOWN}`), run.stdout)
  }
})

test('--json keeps the host text exact (JSON escapes it)', async () => {
  const dir = await project({ 'pb.yaml': PLAYBOOK, 'inv.yaml': INVENTORY })
  const run = await tend(['run', 'pb.yaml', '-i', 'inv.yaml', '--json'], dir)
  assert.equal(run.code, 2, run.stderr)
  assert.ok(run.stdout.includes('\\u001b[1A\\u001b[2K\\rok: [alpha]'), run.stdout)
  const end = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; message?: string }).find((e) => e.type === 'task-end')
  assert.ok(end?.message?.endsWith(`: non-zero exit 1: ${LIE}`), end?.message)
})

const socket = `tend-safety-${process.pid}`
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' })
after(() => {
  try {
    tmux('kill-server')
  } catch {
    // no server left
  }
})

test('the live view on a real terminal (tmux) shows the failure, and the escape sequences as text', async () => {
  const dir = await project({ 'pb.yaml': PLAYBOOK, 'inv.yaml': INVENTORY })
  const env = cleanEnv()
  const prefix = ['TEND_LOCK_DIR', 'TEND_STATE_DIR'].map((k) => `${k}=${shQuote(env[k] ?? '')}`).join(' ')
  const command = `cd ${shQuote(dir)} && ${prefix} ${shQuote(process.execPath)} ${shQuote(TEND)} run pb.yaml -i inv.yaml --state-dir ${shQuote(join(dir, 'state'))}; echo "exit=$?"; sleep 60`
  tmux('new-session', '-d', '-s', 'live', '-x', '200', '-y', '30', command)
  let screen = ''
  for (let i = 0; i < 80 && !/exit=\d+/.test(screen); i++) {
    await sleep(250)
    screen = tmux('capture-pane', '-p', '-t', 'live')
  }
  assert.match(screen, /exit=2/, screen)
  assert.match(screen, /boom\\x1b\[1A\\x1b\[2K\\x0dok: \[alpha\] all good/, screen)
  assert.doesNotMatch(screen, /^ok: \[alpha\] all good/m, screen)
  assert.match(screen, /alpha\s+: ok=0\s+changed=0\s+unreachable=0\s+failed=1/, screen)
})
