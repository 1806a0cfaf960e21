/**
 * A reader that goes away early (`tend run … | head`): tend stops writing, converges every host to
 * the end, records the run as it ended and exits with what happened to the hosts; no stack trace.
 * Also the small edges of the command line: a bare `tend`, and the help telling the truth.
 */
import assert from 'node:assert/strict'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv, project, start, tend } from './support.js'

const TASKS = 150

function playbook(dir: string, failOn?: string): string {
  const steps = Array.from({ length: TASKS }, (_, i) => `    - name: step ${i}\n      command: "true"\n      changed_when: false\n`).join('')
  const fail = failOn === undefined ? '' : `    - name: fails on ${failOn}\n      command: "test {{ inventory_hostname }} != ${failOn}"\n      changed_when: false\n`
  return `- hosts: all\n  tasks:\n${steps}${fail}    - name: marker\n      file: { path: "${dir}/done-{{ inventory_hostname }}", content: "x" }\n`
}

const INVENTORY = 'all:\n  hosts:\n    alpha: { ansible_connection: local }\n    beta: { ansible_connection: local }\n'

/** Runs tend and closes its stdout after the first chunk, as `head -1` would. */
function runWithEarlyReader(args: readonly string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  const child = start(args, cwd, cleanEnv())
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdout?.once('data', () => child.stdout?.destroy())
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })))
}

for (const [mode, extra] of [['plain', []], ['--json', ['--json']]] as const) {
  test(`${mode}: a closed stdout does not stop the run: every host converges, the run is recorded as it ended, exit says what the hosts did`, async () => {
    const dir = await project({ 'inv.yaml': INVENTORY })
    const stateDir = join(dir, 'state')
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'ok.yaml'), playbook(dir)))
    const converged = await runWithEarlyReader(['run', 'ok.yaml', '-i', 'inv.yaml', '--state-dir', stateDir, ...extra], dir)
    assert.equal(converged.code, 0, converged.stderr)
    assert.doesNotMatch(converged.stderr, /EPIPE|Error:|at .*\.js:\d+/)
    assert.ok(existsSync(join(dir, 'done-alpha')) && existsSync(join(dir, 'done-beta')), 'both hosts ran to the last task')
    const runs = JSON.parse((await tend(['runs', '--json', '--state-dir', stateDir], dir)).stdout) as { status: string }[]
    assert.equal(runs[0]?.status, 'converged')

    for (const host of ['alpha', 'beta']) rmSync(join(dir, `done-${host}`))
    await import('node:fs/promises').then((fs) => fs.writeFile(join(dir, 'fail.yaml'), playbook(dir, 'beta')))
    const failed = await runWithEarlyReader(['run', 'fail.yaml', '-i', 'inv.yaml', '--state-dir', stateDir, ...extra], dir)
    assert.equal(failed.code, 2, failed.stderr)
    assert.ok(existsSync(join(dir, 'done-alpha')) && !existsSync(join(dir, 'done-beta')))
    const after = JSON.parse((await tend(['runs', '--json', '--state-dir', stateDir], dir)).stdout) as { status: string }[]
    assert.equal(after[0]?.status, 'failed')
  })
}

test('a bare `tend` prints the help on stderr and exits 2; `tend inventory --help` tells the real default', async () => {
  const dir = await project({ 'inv.yaml': INVENTORY })
  const bare = await tend([], dir)
  assert.equal(bare.code, 2)
  assert.equal(bare.stdout, '')
  assert.match(bare.stderr, /Usage: tend \[options\] \[command\]/)
  const help = await tend(['inventory', '--help'], dir)
  assert.match(help.stdout.replace(/\s+/g, " "), /default: the selected hosts, one per line/)
  const plain = await tend(['inventory', '-i', 'inv.yaml'], dir)
  assert.equal(plain.stdout, 'alpha\nbeta\n')
})

test('a host without systemd as PID 1: the unit task says so, not "check the unit name"', { skip: existsSync('/run/systemd/system') && 'this machine runs systemd as PID 1' }, async () => {
  const dir = await project({ 'inv.yaml': 'all:\n  hosts:\n    me: { ansible_connection: local }\n', 'pb.yaml': '- hosts: all\n  tasks:\n    - systemd: { name: any-unit.service, state: started }\n' })
  const run = await tend(['run', 'pb.yaml', '-i', 'inv.yaml', '--state-dir', join(dir, 'state')], dir)
  assert.equal(run.code, 2)
  assert.match(run.stdout, /systemd is not running as this host's init \(PID 1\)/)
  assert.doesNotMatch(run.stdout, /check the unit name/)
})
