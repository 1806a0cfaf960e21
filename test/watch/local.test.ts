/**
 * tend watch through the local transport (no test host needed): no_log results stay out of the
 * history and the event stream, --rate spaces the starts, a broken playbook at start is exit 5,
 * and tend history filters by outcome.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { project, tend } from '../cli/support.js'
import { history, startWatch } from './support.js'

const PLAYBOOK = `- name: local
  hosts: all
  tasks:
    - name: secret command
      command: { argv: [sh, -c, "echo s3cr3t-value"] }
      no_log: true
    - name: marker
      file: { path: "{{ playbook_dir }}/{{ inventory_hostname }}.txt", content: "x\\n" }
`
const INVENTORY = `all:
  hosts:
    one: { ansible_connection: local }
    two: { ansible_connection: local }
    three: { ansible_connection: local }
`

test('no_log output never reaches the history or the events; --rate 1 starts one host per second', async () => {
  const dir = await project({ 'pb.yaml': PLAYBOOK, 'inv.yaml': INVENTORY })
  const watch = startWatch(dir, ['pb.yaml', '-i', 'inv.yaml', '--every', '10s', '--rate', '1', '--forks', '3'])
  for (const host of ['one', 'two', 'three']) await watch.waitFor(`a cycle of ${host}`, (e) => e.type === 'cycle-end' && e.host === host)
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
  const cycles = await history(dir, watch.stateDir, '--status', 'all')
  assert.equal(cycles.length, 3)
  assert.ok(cycles.every((c) => c.outcome === 'corrected'), JSON.stringify(cycles))
  const text = JSON.stringify(cycles) + JSON.stringify(watch.events)
  assert.ok(!text.includes('s3cr3t-value'), 'the secret leaked')
  for (const c of cycles) {
    const secret = c.evidence.find((e) => (e as { task: string }).task === 'secret command') as { result?: unknown } | undefined
    assert.ok(secret !== undefined && secret.result === undefined)
    assert.ok(c.changes.some((x) => x.summary === 'change hidden (no_log)'))
  }
  // All three were due at once; --rate 1 spaced their starts (a lower bound tend sets, not a speed).
  const starts = cycles.map((c) => c.startedAt).sort((a, b) => a - b)
  assert.ok(starts[1]! - starts[0]! >= 900 && starts[2]! - starts[1]! >= 900, `starts ${starts.join(', ')}`)
  // The default view lists drift and failures; ok or busy cycles only on request.
  assert.equal((await history(dir, watch.stateDir)).length, 3)
  assert.equal((await history(dir, watch.stateDir, '--status', 'ok')).length, 0)
  assert.equal((await history(dir, watch.stateDir, '--host', 't*')).length, 2)
  assert.equal((await history(dir, watch.stateDir, '--since', '1h')).length, 3)
  assert.equal((await history(dir, watch.stateDir, '--since', '1ms')).length, 0)
  const plain = await tend(['history', '--state-dir', watch.stateDir], dir)
  assert.match(plain.stdout, /corrected \[one\]/)
  assert.match(plain.stdout, /marker: create /)
  const bad = await tend(['history', '--state-dir', watch.stateDir, '--status', 'weird'], dir)
  assert.equal(bad.code, 5)
})

test('a playbook that does not validate stops tend watch before anything runs (exit 5, file:line:column)', async () => {
  const dir = await project({ 'pb.yaml': PLAYBOOK.replace('      file:', '      fiel:'), 'inv.yaml': INVENTORY })
  const run = await tend(['watch', 'pb.yaml', '-i', 'inv.yaml', '--every', '5s'], dir)
  assert.equal(run.code, 5)
  assert.match(run.stderr, /pb\.yaml:8:7: unknown module `fiel`/)
  const flags = await tend(['watch', 'pb.yaml', '-i', 'inv.yaml', '--every', 'soon'], dir)
  assert.equal(flags.code, 5)
})
