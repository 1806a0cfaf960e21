/** The state store on disk: schema migrations, runs and host-cycles round-trip, concurrent readers. */
import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { listCycles, pruneCycles, recordCycle } from '../../src/state/cycles.js'
import { stateDirOf } from '../../src/state/dir.js'
import { MIGRATIONS } from '../../src/state/migrations.js'
import { createRun, finishRun, getRun, listRuns } from '../../src/state/runs.js'
import { StateStore } from '../../src/state/store.js'

const fresh = () => mkdtempSync(join(tmpdir(), 'tend-state-'))

test('the state dir is --state-dir, else TEND_STATE_DIR, else XDG_STATE_HOME/tend, else ~/.local/state/tend', () => {
  assert.equal(stateDirOf('/x/y', { TEND_STATE_DIR: '/a' }), '/x/y')
  assert.equal(stateDirOf(undefined, { TEND_STATE_DIR: '/a' }), '/a')
  assert.equal(stateDirOf(undefined, { XDG_STATE_HOME: '/xdg' }), '/xdg/tend')
  assert.match(stateDirOf(undefined, {}), /\/\.local\/state\/tend$/)
})

test('a new store is at the newest schema version, and reopening it migrates nothing twice', () => {
  const dir = fresh()
  const store = StateStore.open(dir)
  assert.equal(store.db.pragma('user_version', { simple: true }), MIGRATIONS.length)
  store.close()
  const again = StateStore.open(dir)
  assert.equal(again.db.pragma('user_version', { simple: true }), MIGRATIONS.length)
  again.close()
})

test('runs and host-cycles round-trip, newest first, and a second process sees them', () => {
  const dir = fresh()
  const store = StateStore.open(dir)
  createRun(store, { id: 'r1', kind: 'run', playbook: 'p.yaml', startedAt: 1000, status: 'running', controller: 'c', pid: 1, plan: { batches: [['a']] } })
  createRun(store, { id: 'r2', kind: 'watch', playbook: 'p.yaml', startedAt: 2000, status: 'running', controller: 'c', pid: 1, plan: {} })
  finishRun(store, 'r1', { status: 'halted', exitCode: 6, reason: 'budget spent' })
  recordCycle(store, { runId: 'r2', host: 'a', startedAt: 10, durationMs: 5, outcome: 'ok', changes: [], evidence: [] })
  recordCycle(store, { runId: 'r2', host: 'a', startedAt: 20, durationMs: 5, outcome: 'corrected', changes: [{ task: 't', summary: 'evict pid 74' }], evidence: [{ task: 't' }] })
  const reader = StateStore.open(dir, { readonly: true })
  assert.deepEqual(listRuns(reader).map((r) => r.id), ['r2', 'r1'])
  assert.equal(getRun(reader, 'r1')?.reason, 'budget spent')
  assert.deepEqual(getRun(reader, 'r1')?.plan, { batches: [['a']] })
  const drift = listCycles(reader, { outcomes: ['corrected', 'failed'] })
  assert.equal(drift.length, 1)
  assert.equal(drift[0]!.changes[0]!.summary, 'evict pid 74')
  assert.equal(pruneCycles(store, 15), 1)
  assert.equal(listCycles(reader).length, 1)
  reader.close()
  store.close()
})
