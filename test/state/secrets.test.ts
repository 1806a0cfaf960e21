/**
 * What the state store keeps instead of secrets: keyed digests (per state dir), masked text, and
 * -e arguments without their values; a plan frozen by an older tend (its -e in clear) is resumed
 * with them and then holds digests only.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { extraVarsChanges, recordExtraVars } from '../../src/cli/extra-vars.js'
import { maskedExtraVar, shownExtraVars } from '../../src/rollout/plan.js'
import { openVars, sealKeyOf, sealVars } from '../../src/queue/seal.js'
import { listCycles, recordCycle } from '../../src/state/cycles.js'
import { createRun, finishRun, getRun } from '../../src/state/runs.js'
import { StateStore } from '../../src/state/store.js'
import { project, tend } from '../cli/support.js'

const fresh = () => mkdtempSync(join(tmpdir(), 'tend-secrets-'))

test('a digest is keyed per state dir: the same value digests alike in one dir, differently in another, and the key is 0600', () => {
  const a = StateStore.open(fresh())
  const b = StateStore.open(fresh())
  assert.equal(a.digest('token', 'hunter22'), a.digest('token', 'hunter22'))
  assert.notEqual(a.digest('token', 'hunter22'), b.digest('token', 'hunter22'))
  assert.notEqual(a.digest('token', 'hunter22'), a.digest('other', 'hunter22'))
  assert.doesNotMatch(a.digest('token', 'hunter22'), /hunter/)
  assert.equal((statSync(join(a.dir, 'digest.key')).mode & 0o777).toString(8), '600')
  a.close()
  b.close()
})

test('-e arguments are shown without values, from any plan shape', () => {
  assert.equal(maskedExtraVar('token=s3cret'), 'token=…')
  assert.equal(maskedExtraVar('@vars/prod.yaml'), '@vars/prod.yaml')
  assert.equal(maskedExtraVar('{"a": 1, "b": "x"}'), '{"a": …, "b": …}')
  assert.equal(maskedExtraVar('{a: 1}'), '{…}')
  assert.deepEqual(shownExtraVars({ options: { extraVars: ['token=s3cret', '@f.yaml'] } }), ['token=…', '@f.yaml'])
  assert.deepEqual(shownExtraVars({ options: { extraVars: { shown: ['token=…'], digests: {} } } }), ['token=…'])
  assert.deepEqual(shownExtraVars(null), [])
})

test('a resume\'s -e compared with the run\'s: missing, different and new variables named, never their values', () => {
  const digest = (name: string, value: unknown) => `${name}:${JSON.stringify(value)}`
  const recorded = recordExtraVars(['token=s3cret', 'port=80'], { token: 's3cret', port: '80' }, digest)
  assert.deepEqual(extraVarsChanges('r1', recorded, { token: 's3cret', port: '80' }, digest), [])
  const problems = extraVarsChanges('r1', recorded, { token: 'guess', extra: 'x' }, digest).map((d) => d.message)
  assert.deepEqual(problems, ['-e token differs from the value run r1 was started with', '-e port is missing: run r1 was started with it', '-e extra was not given when run r1 started'])
})

test('every recorded text masks -e values (6 characters or more), not the row\'s keys', () => {
  const store = StateStore.open(fresh())
  store.withheld.add({ token: 'S3cret-value', nested: { list: ['another-one'] }, short: 'abc' })
  recordCycle(store, {
    runId: 'r', host: 'alpha', startedAt: 1, durationMs: 1, outcome: 'failed', message: 'deploy S3cret-value failed (abc)',
    changes: [{ task: 'use another-one', summary: 'wrote S3cret-value' }], evidence: [{ task: 't', result: { stdout: 'S3cret-value\n' } }],
  })
  createRun(store, { id: 'r', kind: 'run', playbook: 'p', startedAt: 1, status: 'running', controller: 'c', pid: 1, plan: {} })
  finishRun(store, 'r', { status: 'failed', exitCode: 2, reason: 'because another-one' })
  const [cycle] = listCycles(store)
  assert.equal(cycle?.message, 'deploy … failed (abc)')
  assert.deepEqual(cycle?.changes, [{ task: 'use …', summary: 'wrote …' }])
  assert.deepEqual(cycle?.evidence, [{ task: 't', result: { stdout: '…\n' } }])
  assert.equal(cycle?.host, 'alpha')
  assert.equal(getRun(store, 'r')?.reason, 'because …')
  store.close()
  assert.doesNotMatch(readFileSync(join(store.dir, 'tend.db'), 'latin1'), /S3cret|another-one/)
})

test('queue job -e values are sealed: opened with the same password only', () => {
  const key = sealKeyOf({ password: 'pw-1' })
  const sealed = sealVars({ token: 'S3cret-value' }, key)
  assert.doesNotMatch(sealed, /S3cret/)
  assert.equal(sealed, sealVars({ token: 'S3cret-value' }, key), 'the same values seal alike (a watch config stays idempotent)')
  assert.deepEqual(openVars(sealed, key), { token: 'S3cret-value' })
  assert.throws(() => openVars(sealed, sealKeyOf({ password: 'pw-2' })), /another password than the controller's/)
})

test('a run recorded by an older tend (-e in clear) resumes with them, and its plan then holds digests only', async () => {
  const dir = await project({
    'pb.yaml': '- hosts: all\n  tasks:\n    - name: gate\n      command: [test, -e, "{{ playbook_dir }}/go"]\n      no_log: true\n    - name: use\n      command: [test, "{{ token }}", "=", "Old-S3cret"]\n      changed_when: false\n',
    'inv.yaml': 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n',
  })
  const stateDir = join(dir, 'state')
  const failed = await tend(['run', 'pb.yaml', '-i', 'inv.yaml', '-e', 'token=Old-S3cret', '--state-dir', stateDir], dir)
  assert.equal(failed.code, 2, failed.stdout + failed.stderr)
  // Make it look like an older tend's record: the -e as given.
  const store = StateStore.open(stateDir)
  const run = (store.db.prepare('SELECT id, plan FROM runs').get() as { id: string; plan: string })
  const plan = JSON.parse(run.plan) as { options: Record<string, unknown> }
  plan.options.extraVars = ['token=Old-S3cret']
  store.db.prepare('UPDATE runs SET plan = ? WHERE id = ?').run(JSON.stringify(plan), run.id)
  store.close()
  const shown = await tend(['runs', run.id, '--state-dir', stateDir], dir)
  assert.match(shown.stdout, /resume with: tend resume \S+ --state-dir \S+ -e 'token=…'/)
  assert.doesNotMatch(shown.stdout, /Old-S3cret/)
  await (await import('node:fs/promises')).writeFile(join(dir, 'go'), '')
  const resumed = await tend(['resume', run.id, '--state-dir', stateDir], dir)
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr)
  const after = StateStore.open(stateDir, { readonly: true })
  const now = JSON.parse((after.db.prepare('SELECT plan FROM runs WHERE id = ?').get(run.id) as { plan: string }).plan) as { options: { extraVars: unknown } }
  after.close()
  assert.deepEqual(Object.keys(now.options.extraVars as object).sort(), ['digests', 'shown'])
  assert.doesNotMatch(JSON.stringify(now), /Old-S3cret/)
  for (const file of ['tend.db', 'tend.db-wal']) {
    const bytes = (() => { try { return readFileSync(join(stateDir, file), 'latin1') } catch { return '' } })()
    assert.doesNotMatch(bytes, /Old-S3cret/, `${file} keeps a copy`)
  }
})
