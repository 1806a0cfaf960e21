/**
 * Handlers run where Ansible runs them: after pre_tasks, after roles + tasks, after post_tasks, and
 * at `meta: flush_handlers`; a flushed notification is spent, so a handler notified again runs
 * again. `meta: end_host` ends one host's play (no handlers), `end_play` every host reaching it.
 * The same playbook runs under ansible-playbook and tend on this machine (both tools' local
 * connection, two inventory hosts): each host's log of what ran, in order, is the same.
 */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv, parseRecap, tend } from '../cli/support.js'
import { ansiblePlaybook } from '../support/ansible.js'

const log = (what: string) => `shell: "echo ${what} >> {{ dir }}/LOG"`

const PLAYBOOK = `- hosts: all
  gather_facts: false
  pre_tasks:
    - name: pre
      ${log('pre')}
      notify: h1
  roles:
    - logger
  tasks:
    - name: t1
      ${log('t1')}
      notify: h1
    - meta: flush_handlers
    - name: t2
      ${log('t2')}
      notify: [h2, topic]
    - name: maybe end
      meta: end_host
      when: end_here | default(false) | bool
    - name: t3
      ${log('t3')}
  post_tasks:
    - name: post
      ${log('post')}
      notify: h1
  handlers:
    - name: h1
      ${log('h1')}
    - name: h2
      ${log('h2')}
    - name: h3
      ${log('h3')}
      listen: topic
- hosts: all
  gather_facts: false
  tasks:
    - name: second play
      ${log('second')}
    - meta: end_play
    - name: never
      ${log('never')}
`

const ROLE_TASKS = `- name: role task
  ${log('role')}
  notify: role handler
`
const ROLE_HANDLERS = `- name: role handler
  ${log('role-handler')}
`

function scene(): { dir: string; hosts: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tend-flush-'))
  const hosts = ['one', 'two']
  for (const host of hosts) mkdirSync(join(dir, host))
  mkdirSync(join(dir, 'roles', 'logger', 'tasks'), { recursive: true })
  mkdirSync(join(dir, 'roles', 'logger', 'handlers'), { recursive: true })
  writeFileSync(join(dir, 'roles', 'logger', 'tasks', 'main.yml'), ROLE_TASKS)
  writeFileSync(join(dir, 'roles', 'logger', 'handlers', 'main.yml'), ROLE_HANDLERS)
  writeFileSync(join(dir, 'site.yml'), PLAYBOOK)
  writeFileSync(join(dir, 'hosts'), hosts.map((h) => `${h} ansible_connection=local ansible_python_interpreter=/usr/bin/python3 dir=${join(dir, h)}${h === 'two' ? ' end_here=true' : ''}`).join('\n') + '\n')
  return { dir, hosts }
}

function logsOf(dir: string, hosts: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(hosts.map((h) => [h, readFileSync(join(dir, h, 'LOG'), 'utf8').trim().split('\n')]))
}

test('handlers flush after pre_tasks, roles + tasks, post_tasks and at meta: flush_handlers; end_host and end_play end as Ansible\'s', async () => {
  const theirs = scene()
  const peer = await ansiblePlaybook(['-i', 'hosts', 'site.yml'], theirs.dir)
  assert.equal(peer.code, 0, peer.stdout + peer.stderr)
  const ours = scene()
  const ran = await tend(['run', 'site.yml', '-i', 'hosts'], ours.dir, cleanEnv())
  assert.equal(ran.code, 0, ran.stdout + ran.stderr)
  const expected = {
    one: ['pre', 'h1', 'role', 't1', 'role-handler', 'h1', 't2', 't3', 'h2', 'h3', 'post', 'h1', 'second'],
    // Role handlers come first (definition order). end_host after t2: nothing more of that play
    // for this host, and no handlers; the next play runs.
    two: ['pre', 'h1', 'role', 't1', 'role-handler', 'h1', 't2', 'second'],
  }
  assert.deepEqual(logsOf(theirs.dir, theirs.hosts), expected, 'ansible-playbook ran them in this order')
  assert.deepEqual(logsOf(ours.dir, ours.hosts), expected)
  // Neither counts a meta task, both count every handler that ran.
  assert.deepEqual(parseRecap(ran.stdout), parseRecap(peer.stdout))
})
