/**
 * Check mode as Ansible's: under --check a command or shell task is skipped (only running it shows
 * what it does) unless creates/removes decide or `check_mode: false` runs it; its registered result
 * has Ansible's skipped shape, so later `when:`s work; `check_mode` on a task, block or play.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { ExitCode } from '../../src/exit-codes.js'
import { project, tend } from '../cli/support.js'
import { history, startWatch } from '../watch/process.js'
import { perHost, run, scene, taskEnds } from './harness.js'

test('under --check a command is skipped with Ansible\'s registered shape, and a later when reads it', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: probe
      shell: "echo ran >> {{ dir }}/RAN; echo yes"
      register: probe
    - name: act
      shell: "echo acted >> {{ dir }}/ACTED"
      when: "'yes' in probe.stdout"
    - name: report
      file: { path: "{{ dir }}/REPORT", content: "rc={{ probe.rc }} lines={{ probe.stdout_lines | length }} skipped={{ probe.skipped }}\\n" }
`, { check: true })
  assert.deepEqual(perHost(ran), { h1: ['probe:skipped', 'act:skipped', 'report:changed'] })
  const probe = taskEnds(ran, 'h1')[0]
  assert.match(probe?.message ?? '', /skipped in check mode/)
  assert.deepEqual(
    [probe?.result?.skipped, probe?.result?.changed, probe?.result?.rc, probe?.result?.stdout, probe?.result?.stdout_lines],
    [true, false, 0, '', []],
  )
  assert.equal(existsSync(join(at.dirOf('h1'), 'RAN')), false, 'the command ran under --check')
  assert.equal(existsSync(join(at.dirOf('h1'), 'REPORT')), false, 'check mode wrote a file')
  // The file it would write says what the skipped result held.
  const report = 'rc=0 lines=0 skipped=true\n'
  assert.deepEqual(taskEnds(ran, 'h1')[2]?.changes.map((c) => c.summary), [`create ${join(at.dirOf('h1'), 'REPORT')} (${report.length} bytes)`])
})

test('creates/removes still decide under --check: planned when the command would run, ok when a guard holds', async () => {
  const at = await scene(['h1'])
  await writeFile(join(at.dirOf('h1'), 'DONE'), 'x\n')
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: already done
      command: { argv: [touch, "{{ dir }}/A"], creates: "{{ dir }}/DONE" }
      register: done
    - name: would run
      command: { argv: [touch, "{{ dir }}/B"], creates: "{{ dir }}/MISSING" }
    - name: nothing to remove
      shell: { cmd: "rm {{ dir }}/GONE", removes: "{{ dir }}/GONE" }
`, { check: true })
  assert.deepEqual(perHost(ran), { h1: ['already done:ok', 'would run:changed', 'nothing to remove:ok'] })
  const done = taskEnds(ran, 'h1')[0]
  assert.equal(done?.result?.stdout, `skipped, since ${join(at.dirOf('h1'), 'DONE')} exists`)
  assert.equal(done?.result?.rc, 0)
  assert.match(String(taskEnds(ran, 'h1')[2]?.result?.stdout), /skipped, since .*GONE does not exist/)
  assert.equal(existsSync(join(at.dirOf('h1'), 'B')), false)
})

test('check_mode: false runs a read-only command for real under --check; its output drives the plan', async () => {
  const at = await scene(['h1'])
  await writeFile(join(at.dirOf('h1'), 'VERSION'), '2\n')
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: read version
      command: [cat, "{{ dir }}/VERSION"]
      register: version
      changed_when: false
      check_mode: false
    - name: upgrade marker
      file: { path: "{{ dir }}/UPGRADE", content: "from {{ version.stdout | trim }}\\n" }
      when: version.stdout | trim == '2'
`, { check: true })
  assert.deepEqual(perHost(ran), { h1: ['read version:ok', 'upgrade marker:changed'] })
  assert.equal(taskEnds(ran, 'h1')[0]?.result?.stdout, '2\n')
  assert.equal(existsSync(join(at.dirOf('h1'), 'UPGRADE')), false)
})

test('check_mode: true on a block plans its tasks in a real run; the play\'s check_mode holds for every task', async () => {
  const at = await scene(['h1'])
  const ran = await run(at, `
- hosts: all
  tasks:
    - name: dry
      check_mode: true
      block:
        - name: planned only
          file: { path: "{{ dir }}/PLANNED", content: "x\\n" }
        - name: not run
          shell: "touch {{ dir }}/SHELL"
    - name: real
      file: { path: "{{ dir }}/REAL", content: "x\\n" }
- hosts: all
  check_mode: true
  tasks:
    - name: play is dry
      file: { path: "{{ dir }}/PLAY", content: "x\\n" }
    - name: but this one runs
      file: { path: "{{ dir }}/FORCED", content: "x\\n" }
      check_mode: false
`)
  assert.deepEqual(perHost(ran), { h1: ['planned only:changed', 'not run:skipped', 'real:changed', 'play is dry:changed', 'but this one runs:changed'] })
  const made = ['PLANNED', 'SHELL', 'REAL', 'PLAY', 'FORCED'].filter((f) => existsSync(join(at.dirOf('h1'), f)))
  assert.deepEqual(made, ['REAL', 'FORCED'])
})

const INVENTORY = `all:
  hosts:
    one: { ansible_connection: local }
`

test('tend run --check of a playbook of commands finds nothing to change (exit 0), as ansible-playbook --check', async () => {
  const dir = await project({
    'pb.yaml': `- hosts: all
  tasks:
    - name: migrate
      shell: "touch {{ playbook_dir }}/MIGRATED"
    - name: reload
      command: [sh, -c, "touch {{ playbook_dir }}/RELOADED"]
`,
    'inv.yaml': INVENTORY,
  })
  const checked = await tend(['run', 'pb.yaml', '-i', 'inv.yaml', '--check'], dir)
  assert.equal(checked.code, ExitCode.ok, checked.stdout + checked.stderr)
  assert.match(checked.stdout, /skipped=2/)
  assert.equal(existsSync(join(dir, 'MIGRATED')) || existsSync(join(dir, 'RELOADED')), false)
  const real = await tend(['run', 'pb.yaml', '-i', 'inv.yaml'], dir)
  assert.equal(real.code, ExitCode.ok, real.stderr)
  assert.equal(existsSync(join(dir, 'MIGRATED')) && existsSync(join(dir, 'RELOADED')), true)
})

test('tend watch never counts a skipped or guarded command as a correction', async () => {
  const dir = await project({
    'pb.yaml': `- hosts: all
  tasks:
    - name: set up once
      command: { argv: [touch, "{{ playbook_dir }}/SETUP"], creates: "{{ playbook_dir }}/SETUP" }
    - name: look only
      shell: "touch {{ playbook_dir }}/LOOKED"
      check_mode: true
`,
    'inv.yaml': INVENTORY,
  })
  await writeFile(join(dir, 'SETUP'), '')
  const watch = startWatch(dir, ['pb.yaml', '-i', 'inv.yaml', '--every', '1s'])
  const outcomes: string[] = []
  await watch.waitFor('three cycles', (e) => e.type === 'cycle-end' && outcomes.push(e.outcome) === 3)
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
  assert.deepEqual(outcomes, ['ok', 'ok', 'ok'])
  const recorded = await history(dir, watch.stateDir, '--status', 'all')
  assert.ok(recorded.length >= 1 && recorded.every((c) => c.outcome === 'ok'), JSON.stringify(recorded))
  assert.deepEqual(await history(dir, watch.stateDir), [], 'the default view (drift and failures) lists nothing')
  assert.equal(existsSync(join(dir, 'LOOKED')), false)
})
