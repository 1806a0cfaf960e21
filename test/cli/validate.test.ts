/** `tend validate` and `tend run` on broken input: every problem, file:line:column, no host contacted. */
import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { basename, dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { LOCAL_INVENTORY, project, tend } from './support.js'

const BROKEN = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/broken')

/** A loopback TCP server that records every connection: the "host" nobody may contact. */
async function tripwire(): Promise<{ server: Server; port: number; connections: () => number }> {
  let connections = 0
  const server = createServer((socket) => {
    connections += 1
    socket.destroy()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections }
}

function tripwireInventory(port: number): string {
  return `all:
  hosts:
    watched: { ansible_host: 127.0.0.1, ansible_port: ${port}, ansible_user: root }
`
}

test('validate accepts a good playbook, exit 0, one summary line', async () => {
  const dir = await project({
    'inventory/local.yaml': LOCAL_INVENTORY,
    'site.yaml': '- name: p\n  hosts: web\n  tasks:\n    - command: ["true"]\n',
  })
  const result = await tend(['validate', 'site.yaml'], dir)
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /site\.yaml: valid \(1 play, 1 task; inventory inventory\/local\.yaml: 3 hosts\)/)
})

test('validate reports every problem of a playbook at once with file:line:column', async () => {
  const dir = await project({
    'inventory/local.yaml': LOCAL_INVENTORY,
    'site.yaml': `- name: p
  hosts: web
  tasks:
    - name: one
      command: { argv: ["true"], bogus: 1 }
    - name: two
      nosuchmodule: {}
`,
  })
  const result = await tend(['validate', 'site.yaml'], dir)
  assert.equal(result.code, 5)
  assert.match(result.stderr, /site\.yaml:5:\d+/)
  assert.match(result.stderr, /site\.yaml:7:\d+/)
  assert.match(result.stderr, /problems found; no host was contacted/)
})

interface BrokenCase {
  readonly name: string
  readonly playbook: string
  readonly inventory: string
  readonly expected: { readonly file: string; readonly line: number; readonly column: number; readonly message: string }
}

/** B's corpus: one directory per case (playbook.yaml, optional inventory.yaml, expected.json). */
function brokenCases(): BrokenCase[] {
  if (!existsSync(BROKEN)) return []
  return readdirSync(BROKEN, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(BROKEN, e.name, 'expected.json')))
    .map((e) => {
      const dir = join(BROKEN, e.name)
      // A case's own inventory: YAML, INI, or a directory of inventory files.
      const own = ['inventory.yaml', 'inventory.ini', 'inventory'].map((f) => join(dir, f)).find((f) => existsSync(f))
      return {
        name: e.name,
        playbook: join(dir, 'playbook.yaml'),
        inventory: own ?? join(BROKEN, 'inventory.yaml'),
        expected: JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as BrokenCase['expected'],
      }
    })
}

/** The case's inventory with every flow-style host pointed at the tripwire (same lines, so positions hold). */
async function rewired(c: BrokenCase, port: number, dir: string): Promise<string> {
  // An inventory directory (INI/YAML files) names no reachable host: used as it is.
  if (statSync(c.inventory).isDirectory()) return c.inventory
  const text = readFileSync(c.inventory, 'utf8').replace(/\{ ansible_host: 10\.77\.0\.\d+/g, `{ ansible_host: 127.0.0.1, ansible_port: ${port}`)
  const path = join(dir, c.name, basename(c.inventory))
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, text)
  return path
}

/** What stderr must contain: `file:line:column: message` (the column only for playbook positions). */
function expectedText(c: BrokenCase): RegExp {
  const e = c.expected
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const where = e.line === 0 ? '' : e.file.endsWith('playbook.yaml') ? `:${e.line}:${e.column}` : `:${e.line}:\\d+`
  return new RegExp(`${escape(basename(e.file))}${where}: ${escape(e.message)}`)
}

async function inBatches<T>(items: readonly T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each))
}

const cases = brokenCases()

test('validate and run on every case of the broken corpus: exit 5, file:line:column, and no host contacted', { skip: cases.length === 0 && 'test/fixtures/broken/ not present' }, async () => {
  const wire = await tripwire()
  try {
    const dir = await project({})
    await inBatches(cases, 4, async (c) => {
      const inventory = await rewired(c, wire.port, dir)
      for (const command of ['validate', 'run']) {
        const result = await tend([command, c.playbook, '-i', inventory], dir)
        assert.equal(result.code, 5, `${command} ${c.name}: ${result.stderr}`)
        assert.match(result.stderr, expectedText(c), `${command} ${c.name}`)
        assert.equal(result.stdout, '', `${command} ${c.name} prints problems on stderr only`)
      }
    })
    assert.equal(wire.connections(), 0, 'no host may be contacted before validation passes')
  } finally {
    wire.server.close()
  }
})

test('an undefined variable stops the run before the ssh host is contacted', async () => {
  const wire = await tripwire()
  try {
    const dir = await project({
      'inventory/local.yaml': tripwireInventory(wire.port),
      'site.yaml': '- name: p\n  hosts: all\n  tasks:\n    - shell: "echo {{ not_defined_anywhere }}"\n',
    })
    const result = await tend(['run', 'site.yaml'], dir)
    assert.equal(result.code, 5, result.stderr)
    assert.match(result.stderr, /site\.yaml:4:\d+.*not_defined_anywhere/)
    assert.equal(wire.connections(), 0)
    const defined = await tend(['validate', 'site.yaml', '-e', 'not_defined_anywhere=1'], dir)
    assert.equal(defined.code, 0, defined.stderr)
    assert.equal(wire.connections(), 0)
    // The tripwire works: once the input is valid, `run` does reach the host (which then hangs up).
    const valid = await tend(['run', 'site.yaml', '-e', 'not_defined_anywhere=1'], dir)
    assert.equal(valid.code, 4, valid.stderr + valid.stdout)
    assert.ok(wire.connections() > 0)
  } finally {
    wire.server.close()
  }
})
