import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { template } from '../../src/modules/template.js'
import { ConfigError } from '../../src/errors.js'
import { convergeOnce, localContext } from './file-support.js'

/** A playbook directory with templates/ on the "controller" and a dest directory on the "host". */
async function playbookDir(templates: Record<string, string>) {
  const root = await mkdtemp(join(tmpdir(), 'tend-template-'))
  await mkdir(join(root, 'templates'))
  await mkdir(join(root, 'host'))
  for (const [name, text] of Object.entries(templates)) await writeFile(join(root, 'templates', name), text)
  return root
}

const UNIT = `[Service]
ExecStart=/usr/bin/python3 -m app --port {{ port }}
{% for key, value in env | dictsort %}Environment={{ key }}={{ value }}
{% endfor %}`

test('template renders the host vars into dest, then has nothing to do', async () => {
  const dir = await playbookDir({ 'app.service.j2': UNIT })
  const ctx = await localContext({ playbookDir: dir, vars: { port: 8000, env: { B: '2', A: '1' } } })
  const dest = join(dir, 'host', 'app.service')
  const spec = { src: 'templates/app.service.j2', dest, mode: '0644' }
  const rendered = '[Service]\nExecStart=/usr/bin/python3 -m app --port 8000\nEnvironment=A=1\nEnvironment=B=2\n'
  assert.deepEqual((await convergeOnce('template', ctx, spec)).summaries, [`create ${dest} (${rendered.length} bytes, mode 0644)`])
  assert.equal(await readFile(dest, 'utf8'), rendered)
  assert.equal((await stat(dest)).mode & 0o777, 0o644)
  assert.deepEqual((await convergeOnce('template', ctx, spec)).summaries, [])
})

test('template shows a before/after diff when a variable changes', async () => {
  const dir = await playbookDir({ 'port.j2': 'listen {{ port }};\n' })
  const dest = join(dir, 'host', 'port.conf')
  const spec = { src: 'templates/port.j2', dest }
  await convergeOnce('template', await localContext({ playbookDir: dir, vars: { port: 80 } }), spec)
  const ctx = await localContext({ playbookDir: dir, vars: { port: 8080 } })
  const [change] = template.diff(spec, await template.probe(ctx, spec))
  assert.ok(change?.action === 'write')
  assert.equal(change.summary, `update ${dest}: content (+1 -1 lines)`)
  assert.deepEqual(change.diff, { path: dest, before: 'listen 80;\n', after: 'listen 8080;\n' })
  await convergeOnce('template', ctx, spec)
  assert.equal(await readFile(dest, 'utf8'), 'listen 8080;\n')
})

test('template of a single expression keeps its surrounding whitespace and writes text', async () => {
  const dir = await playbookDir({ 'n.j2': '{{ port }}\n', 'l.j2': '{{ routes }}\n' })
  const ctx = await localContext({ playbookDir: dir, vars: { port: 8000, routes: ['/', '/gaps'] } })
  await convergeOnce('template', ctx, { src: 'templates/n.j2', dest: join(dir, 'host', 'n') })
  await convergeOnce('template', ctx, { src: 'templates/l.j2', dest: join(dir, 'host', 'l') })
  assert.equal(await readFile(join(dir, 'host', 'n'), 'utf8'), '8000\n')
  assert.equal(await readFile(join(dir, 'host', 'l'), 'utf8'), "['/', '/gaps']\n") // Python's str(), as Ansible writes it
})

test('template with an undefined variable fails naming the template file', async () => {
  const dir = await playbookDir({ 'bad.j2': 'port={{ nope }}\n' })
  const ctx = await localContext({ playbookDir: dir })
  await assert.rejects(template.probe(ctx, { src: 'templates/bad.j2', dest: join(dir, 'host', 'x') }), (e) =>
    e instanceof ConfigError && e.diagnostics[0]?.file === join(dir, 'templates', 'bad.j2') && /nope/.test(e.message))
})

test('template with a missing src fails naming the path it looked at', async () => {
  const dir = await playbookDir({})
  const ctx = await localContext({ playbookDir: dir })
  await assert.rejects(template.probe(ctx, { src: 'templates/none.j2', dest: join(dir, 'host', 'x') }), (e) =>
    e instanceof ConfigError && e.diagnostics[0]?.file === join(dir, 'templates', 'none.j2') && /not found/.test(e.message))
})
