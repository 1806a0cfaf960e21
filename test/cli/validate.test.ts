/** `tend validate` and `tend run` on broken input: every problem, file:line:column, no host contacted. */
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { dirname, join, resolve } from 'node:path'
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

const brokenFiles = existsSync(BROKEN) ? readdirSync(BROKEN).filter((f) => /\.ya?ml$/.test(f) && !f.includes('inventory')) : []

test('every playbook of the broken corpus fails validation (exit 5, file:line:column) and contacts no host', { skip: brokenFiles.length === 0 && 'test/fixtures/broken/ not present' }, async () => {
  const wire = await tripwire()
  try {
    const dir = await project({ 'inventory/local.yaml': tripwireInventory(wire.port) })
    for (const file of brokenFiles) {
      const path = join(BROKEN, file)
      for (const command of ['validate', 'run']) {
        const result = await tend([command, path, '-i', join(dir, 'inventory/local.yaml')], dir)
        assert.equal(result.code, 5, `${command} ${file}: ${result.stderr}`)
        assert.match(result.stderr, /:\d+:\d+: /, `${command} ${file} gives positions`)
      }
    }
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
  } finally {
    wire.server.close()
  }
})
