import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Ajv } from 'ajv'
import { parse } from 'yaml'
import { loadPlaybook } from '../../src/playbook/load.js'
import type { BlockTask, ModuleTask } from '../../src/playbook/model.js'
import { inventorySchema, playbookSchema } from '../../src/playbook/schema.js'

const site = fileURLToPath(new URL('../fixtures/playbook/site.yaml', import.meta.url))

test('a valid playbook loads to the normalized model', async () => {
  const { plays } = await loadPlaybook(site)
  assert.equal(plays.length, 1)
  const play = plays[0]!
  assert.equal(play.name, 'recover the api')
  assert.equal(play.hosts, 'web:!web3')
  // vars_files override play vars, as in Ansible.
  assert.deepEqual(play.vars, { unit_name: 'scidex-api.service', port: 8080 })
  assert.deepEqual(play.serial, [1, '50%'])
  assert.equal(play.maxFailPercentage, 25)
  assert.equal(play.strategy, 'free')
  assert.deepEqual(play.become, { user: 'tend' })
  assert.deepEqual(play.source, { file: site, line: 1, column: 3 })
  assert.deepEqual(play.hostsSource, { file: site, line: 2, column: 10 })

  const [show, curl, guarded] = play.tasks as [ModuleTask, ModuleTask, BlockTask]
  assert.equal(show.type, 'module')
  assert.equal(show.module, 'command')
  assert.deepEqual(show.args, { argv: ['systemctl', 'status', '{{ unit_name }}'] })
  assert.deepEqual(show.argsSource, { file: site, line: 15, column: 16 })
  assert.equal(show.register, 'status')
  assert.deepEqual(show.changedWhen, ['false'])
  assert.deepEqual(show.failedWhen, ['status.rc > 3'])
  assert.deepEqual(show.tags, ['probe', 'read'])
  assert.deepEqual(show.become, { user: 'tend' })
  assert.deepEqual(show.templateSources?.['/command/2'], { file: site, line: 15, column: 36, text: '{{ unit_name }}', expression: false })

  assert.deepEqual(curl.args, { cmd: 'curl -sf http://127.0.0.1:{{ port }}/' })
  assert.equal(curl.until, 'curl.rc == 0')
  assert.equal(curl.retries, 10)
  assert.equal(curl.delaySeconds, 2)
  assert.equal(curl.timeoutSeconds, 60)
  assert.deepEqual(curl.notify, ['restart api'])
  assert.equal(curl.noLog, true)
  assert.equal(curl.become, undefined)

  assert.equal(guarded.type, 'block')
  assert.deepEqual(guarded.when, ['status.rc != 0', 'port is defined'])
  assert.deepEqual(guarded.vars, { attempt: 1 })
  assert.deepEqual((guarded.block[0] as ModuleTask).become, { user: 'root' })
  assert.equal((guarded.rescue[0] as BlockTask).type, 'block')
  assert.equal(((guarded.rescue[0] as BlockTask).block[0] as ModuleTask).module, 'command')
  assert.equal((guarded.always[0] as ModuleTask).module, 'shell')

  const [handler] = play.handlers
  assert.equal(handler?.name, 'restart api')
  assert.deepEqual(handler?.listen, ['api changed'])
})

test('tasks without until do not retry', async () => {
  const [show] = (await loadPlaybook(site)).plays[0]!.tasks as [ModuleTask]
  assert.equal(show.retries, 0)
})

test('the published JSON Schema accepts the valid playbook and rejects a task with two modules', async () => {
  const validate = new Ajv({ strict: false }).compile(playbookSchema())
  const raw = parse(await readFile(site, 'utf8'), { version: '1.1' }) as unknown
  assert.equal(validate(raw), true, JSON.stringify(validate.errors))
  assert.equal(validate([{ hosts: 'all', tasks: [{ command: ['ls'], shell: 'ls' }] }]), false)
  assert.equal(new Ajv({ strict: false }).compile(inventorySchema())({ all: { hosts: { h: { ansible_port: 22 } } } }), true)
})

test('schema/*.schema.json equal the generated schemas (run `npx tsx schema/generate.ts` after changing modules)', async () => {
  for (const [name, schema] of [['playbook', playbookSchema()], ['inventory', inventorySchema()]] as const) {
    const file = new URL(`../../schema/${name}.schema.json`, import.meta.url)
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), schema, `${name}.schema.json is stale`)
  }
})

test('YAML booleans are PyYAML\'s (yes/no, true/false, on/off): `y` and `n` stay strings, as Ansible reads them', async () => {
  const { parseYaml } = await import('../../src/playbook/yaml-source.js')
  assert.deepEqual(parseYaml('x.yaml', 'a: y\nn: 1\nb: yes\nc: On\nd: off\ne: N\nf: no\n').value, { a: 'y', n: 1, b: true, c: true, d: false, e: 'N', f: false })
})
