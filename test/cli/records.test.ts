/**
 * What `tend runs` says of every kind of run: a watch (stopped cleanly, shown host by host), a
 * --check run (what it found: converged, drift or failed), and a resume hint only where a resume works.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { project, tend } from './support.js'
import { startWatch } from '../watch/process.js'

const INVENTORY = 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n    beta: { ansible_connection: local }\n'

interface RunSummary { readonly id: string; readonly kind: string; readonly status: string }

async function latest(dir: string, stateDir: string): Promise<RunSummary> {
  const runs = JSON.parse((await tend(['runs', '--json', '--state-dir', stateDir], dir)).stdout) as RunSummary[]
  return runs[0] as RunSummary
}

test('a watch stopped by SIGTERM is "stopped"; tend runs shows it host by host; tend resume says why not', async () => {
  const dir = await project({
    'pb.yaml': '- hosts: all\n  tasks:\n    - name: noop\n      command: "true"\n      changed_when: false\n',
    'inv.yaml': INVENTORY,
  })
  const watch = startWatch(dir, ['pb.yaml', '-i', 'inv.yaml', '--every', '1s'], join(dir, 'state'))
  for (const host of ['alpha', 'beta']) await watch.waitFor(`a cycle of ${host}`, (e) => e.type === 'cycle-end' && e.host === host)
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
  const run = await latest(dir, watch.stateDir)
  assert.deepEqual([run.kind, run.status], ['watch', 'stopped'])
  const shown = await tend(['runs', run.id, '--state-dir', watch.stateDir], dir)
  assert.equal(shown.code, 0, shown.stderr)
  assert.match(shown.stdout, new RegExp(`watch ${run.id}: stopped`))
  assert.match(shown.stdout, /alpha\s+ok=\d+; last ok at /)
  assert.doesNotMatch(shown.stdout, /resume/)
  const json = JSON.parse((await tend(['runs', run.id, '--json', '--state-dir', watch.stateDir], dir)).stdout) as { hosts: { host: string; cycles: Record<string, number> }[] }
  assert.deepEqual(json.hosts.map((h) => h.host), ['alpha', 'beta'])
  assert.ok(json.hosts.every((h) => (h.cycles.ok ?? 0) >= 1))
  const resume = await tend(['resume', run.id, '--state-dir', watch.stateDir], dir)
  assert.equal(resume.code, 5)
  assert.match(resume.stderr, /is a tend watch: there is nothing to resume/)
})

test('a --check run is recorded as what it found: converged, drift or failed, and is never offered for resume', async () => {
  const dir = await project({
    'pb.yaml': `- hosts: all\n  tasks:\n    - name: file\n      file: { path: "${'{{ playbook_dir }}'}/f-{{ inventory_hostname }}", content: "x" }\n    - name: fails on beta when asked\n      fail: { msg: asked }\n      when: inventory_hostname == (fail_on | default('none'))\n`,
    'inv.yaml': INVENTORY,
  })
  const stateDir = join(dir, 'state')
  const check = (...extra: string[]) => tend(['run', 'pb.yaml', '-i', 'inv.yaml', '--check', '--state-dir', stateDir, ...extra], dir)
  const drift = await check()
  assert.equal(drift.code, 3, drift.stderr)
  assert.equal((await latest(dir, stateDir)).status, 'drift')
  const failed = await check('-e', 'fail_on=beta')
  assert.equal(failed.code, 2, failed.stderr)
  const failedRun = await latest(dir, stateDir)
  assert.equal(failedRun.status, 'failed')
  assert.doesNotMatch(failed.stdout, /resume with/)
  const shown = await tend(['runs', failedRun.id, '--state-dir', stateDir], dir)
  assert.doesNotMatch(shown.stdout, /resume with/)
  const resume = await tend(['resume', failedRun.id, '--state-dir', stateDir], dir)
  assert.equal(resume.code, 5)
  assert.match(resume.stderr, /was a --check run/)
  // The latest unfinished run is never a check run.
  assert.match((await tend(['resume', '--state-dir', stateDir], dir)).stderr, /no unfinished run/)
  assert.equal((await tend(['run', 'pb.yaml', '-i', 'inv.yaml', '--state-dir', stateDir], dir)).code, 0)
  assert.equal((await check()).code, 0)
  assert.equal((await latest(dir, stateDir)).status, 'converged')
})
