/**
 * `environment` as Ansible's: on the play, a block and a task (inner levels override outer ones),
 * a mapping or a template giving one, values made strings; the commands see exactly those
 * variables. The same playbook under ansible-playbook and tend (both tools' local connection)
 * leaves the same files. Values never show in -vv's command lines (they are often credentials).
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv, tend } from '../cli/support.js'
import { ansiblePlaybook } from '../support/ansible.js'

const PLAYBOOK = `- hosts: all
  gather_facts: false
  environment:
    ENVT_PLAY: play
    ENVT_LEVEL: play
  vars:
    proxy_env:
      ENVT_PROXY: "http://proxy.example:3128"
      ENVT_PORT: 3128
  tasks:
    - name: play level
      shell: "env | grep ^ENVT_ | sort > {{ dir }}/play.env"
    - name: a block
      environment:
        ENVT_LEVEL: block
        ENVT_BLOCK: "{{ 'b' ~ 'lock' }}"
      block:
        - name: block level
          shell: "env | grep ^ENVT_ | sort > {{ dir }}/block.env"
        - name: task over block
          shell: "env | grep ^ENVT_ | sort > {{ dir }}/task.env"
          environment: "{{ proxy_env }}"
`

function scene(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tend-env-'))
  writeFileSync(join(dir, 'site.yml'), PLAYBOOK)
  writeFileSync(join(dir, 'hosts'), `box ansible_connection=local ansible_python_interpreter=/usr/bin/python3 dir=${dir}\n`)
  return dir
}

const files = (dir: string) => Object.fromEntries(['play', 'block', 'task'].map((f) => [f, readFileSync(join(dir, `${f}.env`), 'utf8').trim().split('\n')]))

test('environment on play, block and task reaches the commands as Ansible\'s does', async () => {
  const ours = scene()
  const ran = await tend(['run', 'site.yml', '-i', 'hosts', '-vv'], ours, cleanEnv())
  assert.equal(ran.code, 0, ran.stdout + ran.stderr)
  const expected = {
    play: ['ENVT_LEVEL=play', 'ENVT_PLAY=play'],
    block: ['ENVT_BLOCK=block', 'ENVT_LEVEL=block', 'ENVT_PLAY=play'],
    task: ['ENVT_BLOCK=block', 'ENVT_LEVEL=block', 'ENVT_PLAY=play', 'ENVT_PORT=3128', 'ENVT_PROXY=http://proxy.example:3128'],
  }
  assert.deepEqual(files(ours), expected)
  // -vv shows each command, not the environment's values.
  assert.match(ran.stdout, /env \| grep \^ENVT_/)
  assert.ok(!ran.stdout.includes('proxy.example'), 'an environment value reached the output')

  const theirs = scene()
  const peer = await ansiblePlaybook(['-i', 'hosts', 'site.yml'], theirs)
  assert.equal(peer.code, 0, peer.stdout + peer.stderr)
  assert.deepEqual(files(theirs), expected, 'ansible-playbook set these')
})

test('an environment that is not a mapping of names is refused, naming the task\'s file:line:column', async () => {
  const dir = scene()
  writeFileSync(join(dir, 'bad.yml'), `- hosts: all
  gather_facts: false
  vars:
    not_a_map: [1, 2]
  tasks:
    - name: bad
      command: ["true"]
      environment: "{{ not_a_map }}"
`)
  const ran = await tend(['run', 'bad.yml', '-i', 'hosts'], dir, cleanEnv())
  assert.equal(ran.code, 2, ran.stdout + ran.stderr)
  assert.match(ran.stdout + ran.stderr, /bad\.yml:6:\d+: environment must be a mapping/)
  const invalid = await tend(['validate', 'bad.yml', '-i', 'hosts'], dir, cleanEnv())
  assert.equal(invalid.code, 0, 'a template is only known when the task runs')
  writeFileSync(join(dir, 'bad-name.yml'), '- hosts: all\n  tasks:\n    - command: ["true"]\n      environment: { "1BAD": x }\n')
  const named = await tend(['validate', 'bad-name.yml', '-i', 'hosts'], dir, cleanEnv())
  assert.equal(named.code, 5)
  assert.match(named.stderr, /bad-name\.yml:4:\d+/)
})
