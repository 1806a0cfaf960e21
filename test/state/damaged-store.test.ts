/**
 * A state store tend cannot use (garbage, truncated, another program's SQLite database, a newer
 * schema, a symlink) is named with what is wrong and how to recover, exit 5, never a stack trace,
 * for every command that opens it; and the state dir's files are 0600 and its dirs 0700 whoever
 * made them.
 */
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import Database from 'better-sqlite3'
import { recordCycle } from '../../src/state/cycles.js'
import { StateStore } from '../../src/state/store.js'
import { project, tend } from '../cli/support.js'

const PLAYBOOK = '- hosts: all\n  tasks:\n    - name: noop\n      command: "true"\n      changed_when: false\n'
const INVENTORY = 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n'

type Damage = (file: string, dir: string) => void

const DAMAGES: Readonly<Record<string, { damage: Damage; says: RegExp }>> = {
  garbage: { damage: (file) => writeFileSync(file, 'this is not a database\n'.repeat(20)), says: /is not a SQLite database/ },
  truncated: {
    damage: (file, dir) => {
      const store = StateStore.open(dir)
      for (let i = 0; i < 500; i++) recordCycle(store, { runId: 'r', host: `h${i}`, startedAt: i, durationMs: 1, outcome: 'ok', changes: [], evidence: [{ pad: 'x'.repeat(200) }] })
      store.db.pragma('wal_checkpoint(TRUNCATE)')
      store.close()
      truncateSync(file, Math.floor(statSync(file).size / 2))
    },
    says: /is truncated/,
  },
  'another SQLite database': {
    damage: (file) => {
      const db = new Database(file)
      db.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)')
      db.close()
    },
    says: /is a SQLite database, but not tend's/,
  },
  'a newer schema': {
    damage: (file, dir) => {
      StateStore.open(dir).close()
      const db = new Database(file)
      db.pragma('user_version = 999')
      db.close()
    },
    says: /was written by a newer tend \(schema version 999/,
  },
  'a symlink': {
    damage: (file, dir) => {
      const elsewhere = join(dir, '..', `elsewhere-${Math.random()}.db`)
      writeFileSync(elsewhere, '')
      symlinkSync(elsewhere, file)
    },
    says: /is a symbolic link/,
  },
}

function damagedStateDir(damage: Damage): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'tend-damaged-')), 'state')
  mkdirSync(dir, { mode: 0o700 })
  damage(join(dir, 'tend.db'), dir)
  return dir
}

for (const [name, { damage, says }] of Object.entries(DAMAGES)) {
  test(`a state store that is ${name}: run, runs, history, serve and watch name the file and how to recover, exit 5, no stack`, async () => {
    const cwd = await project({ 'pb.yaml': PLAYBOOK, 'inv.yaml': INVENTORY })
    const stateDir = damagedStateDir(damage)
    const file = join(stateDir, 'tend.db')
    const before = readFileSync(file).length
    const commands = [
      ['run', 'pb.yaml', '-i', 'inv.yaml'], ['runs'], ['history'], ['serve', '--listen', '127.0.0.1:0'],
      ['watch', 'pb.yaml', '-i', 'inv.yaml', '--every', '1h'], ['resume'],
    ]
    for (const args of commands) {
      const out = await tend([...args, '--state-dir', stateDir], cwd)
      const what = `tend ${args[0]}: ${out.stderr}`
      assert.equal(out.code, 5, what)
      assert.ok(out.stderr.includes(`the state store ${file} `), what)
      assert.match(out.stderr, says, what)
      assert.match(out.stderr, /hint: .*move it aside \(mv .*tend\.db .*\.bad\); tend then starts a new one there/, what)
      assert.doesNotMatch(out.stderr, /unexpected error|\n\s+at /, what)
    }
    // Nothing was added to the file tend refused.
    assert.equal(readFileSync(file).length, before)
  })
}

test('files tend did not create are tightened: the store 0600 and every dir 0700, on open', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'tend-modes-')), 'state')
  mkdirSync(join(dir, 'sub'), { recursive: true, mode: 0o755 })
  chmodSync(dir, 0o755)
  StateStore.open(dir).close()
  chmodSync(join(dir, 'tend.db'), 0o644)
  writeFileSync(join(dir, 'sub', 'note'), 'x', { mode: 0o644 })
  const store = StateStore.open(dir)
  store.close()
  const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)
  assert.equal(mode(dir), '700')
  assert.equal(mode(join(dir, 'sub')), '700')
  assert.equal(mode(join(dir, 'sub', 'note')), '600')
  assert.equal(mode(join(dir, 'tend.db')), '600')
})

test('a new store is 0600 under a permissive umask, with its -wal and -shm', () => {
  const old = process.umask(0)
  try {
    const dir = join(mkdtempSync(join(tmpdir(), 'tend-umask-')), 'state')
    const store = StateStore.open(dir)
    recordCycle(store, { runId: 'r', host: 'h', startedAt: 1, durationMs: 1, outcome: 'ok', changes: [], evidence: [] })
    for (const f of ['tend.db', 'tend.db-wal', 'tend.db-shm']) assert.equal((statSync(join(dir, f)).mode & 0o777).toString(8), '600', f)
    assert.equal((statSync(dir).mode & 0o777).toString(8), '700')
    store.close()
  } finally {
    process.umask(old)
  }
})
