/**
 * `stat` as Ansible's: one playbook, run by ansible-playbook and by tend on this machine (the
 * local connection of both), over a file, an empty file, a setuid script, a directory, a symlink
 * (followed and not), a dangling link, a FIFO and a missing path. Every key Ansible registers
 * under `stat` comes back with the same value from tend (mtime and ctime to the microsecond: both read
 * the same inode, one through Python's float; atime moves as the checksums read the files). Also k=v arguments, aliases, and --check.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv, tend } from '../cli/support.js'
import { eventsOf } from '../support/events.js'
import { ansiblePlaybook } from '../support/ansible.js'

const CASES = [
  { name: 'file', args: 'path={{ dir }}/file' },
  { name: 'empty', args: 'path={{ dir }}/empty checksum_algorithm=sha256' },
  { name: 'script', args: 'path={{ dir }}/script get_md5=yes' },
  { name: 'dir', args: 'path={{ dir }}/sub' },
  { name: 'link', args: 'path={{ dir }}/link' },
  { name: 'link followed', args: '{ path: "{{ dir }}/link", follow: true }' },
  { name: 'link followed (k=v)', args: 'path={{ dir }}/link follow=yes get_mime=no' },
  { name: 'dangling', args: 'path={{ dir }}/dangling' },
  { name: 'fifo', args: '{ path: "{{ dir }}/fifo", get_mime: false }' },
  { name: 'missing', args: 'path={{ dir }}/missing' },
  { name: 'alias dest', args: 'dest={{ dir }}/file checksum=md5' },
] as const

function playbook(): string {
  const tasks = CASES.map((c) => `    - name: ${c.name}\n      stat: ${c.args}\n      register: r`)
  return `- hosts: all\n  gather_facts: false\n  tasks:\n${tasks.join('\n')}\n`
}

function scene(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tend-stat-'))
  writeFileSync(join(dir, 'file'), 'hello, stat\n')
  writeFileSync(join(dir, 'empty'), '')
  writeFileSync(join(dir, 'script'), '#!/bin/sh\necho hi\n')
  chmodSync(join(dir, 'script'), 0o4755)
  mkdirSync(join(dir, 'sub'))
  symlinkSync(join(dir, 'file'), join(dir, 'link'))
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'))
  execFileSync('mkfifo', [join(dir, 'fifo')])
  writeFileSync(join(dir, 'pb.yaml'), playbook())
  writeFileSync(join(dir, 'hosts'), 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n')
  return dir
}

type Stat = Record<string, unknown>

async function ansibleStats(dir: string): Promise<Stat[]> {
  // ansible-core's default callback with -v prints each result as one line of JSON.
  const run = await ansiblePlaybook(['-v', '-i', 'hosts', 'pb.yaml', '-e', `dir=${dir}`], dir, { ANSIBLE_STDOUT_CALLBACK: 'default', ANSIBLE_CALLBACK_RESULT_FORMAT: 'json' })
  assert.equal(run.code, 0, run.stdout + run.stderr)
  const prefix = 'ok: [localhost] => '
  return run.stdout.split('\n').filter((l) => l.startsWith(prefix)).map((l) => (JSON.parse(l.slice(prefix.length)) as { stat: Stat }).stat)
}

async function tendStats(dir: string, extra: readonly string[] = []): Promise<{ stats: Stat[]; statuses: string[] }> {
  const run = await tend(['run', 'pb.yaml', '-i', 'hosts', '-e', `dir=${dir}`, '--json', ...extra], dir, cleanEnv())
  assert.equal(run.code, 0, run.stdout + run.stderr)
  const ends = eventsOf(run.stdout, 'task-end')
  return { stats: ends.map((e) => (e.result as { stat: Stat }).stat), statuses: ends.map((e) => e.status) }
}

// atime moves when a checksum reads the file (relatime), so only mtime and ctime are compared.
const TIMES = new Set(['mtime', 'ctime'])

test('tend\'s stat registers what Ansible\'s does, key for key, on every kind of path', async () => {
  const dir = scene()
  const ours = await tendStats(dir)
  const theirs = await ansibleStats(dir)
  assert.deepEqual(ours.statuses, CASES.map(() => 'ok'))
  CASES.forEach((c, i) => {
    const [a, t] = [theirs[i]!, ours.stats[i]!]
    assert.deepEqual(Object.keys(t).sort(), Object.keys(a).sort(), `${c.name}: the same keys`)
    for (const [key, value] of Object.entries(a)) {
      if (key === 'atime') assert.equal(typeof t[key], 'number')
      else if (TIMES.has(key)) assert.ok(Math.abs(Number(t[key]) - Number(value)) < 1e-5, `${c.name}.${key}: ${String(t[key])} vs ${String(value)}`)
      else assert.deepEqual(t[key], value, `${c.name}.${key}`)
    }
  })
  // A few a user reads, said plainly.
  assert.equal(ours.stats[0]!.checksum, execFileSync('sha1sum', [join(dir, 'file')]).toString().split(' ')[0])
  assert.deepEqual([ours.stats[2]!.mode, ours.stats[2]!.isuid, ours.stats[3]!.isdir, ours.stats[4]!.islnk, ours.stats[5]!.islnk], ['4755', true, true, true, false])
  const named = (name: string) => ours.stats[CASES.findIndex((c) => c.name === name)]!
  assert.deepEqual([named('dangling').exists, named('dangling').islnk, named('dangling').lnk_target], [true, true, join(dir, 'nowhere')])
  assert.deepEqual(named('missing'), { exists: false })
  assert.equal(named('link followed (k=v)').mimetype, undefined, 'get_mime=no')
})

test('stat changes nothing and answers the same under --check', async () => {
  const dir = scene()
  const checked = await tendStats(dir, ['--check'])
  assert.deepEqual(checked.statuses, CASES.map(() => 'ok'))
  assert.equal(checked.stats[0]!.exists, true)
})
