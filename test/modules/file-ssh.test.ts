/** file and template through the ssh transport on a real test host, checked with the testbed's own ssh. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FileSpec } from '../../src/modules/file.js'
import type { Transport } from '../../src/transport/types.js'
import { leaseHost, type TestHost } from '../support/testbed.js'
import { contextFor, convergeOnce, sshTo } from './file-support.js'

const DIR = '/tmp/tend-file-test'
const HOSTILE = ['a b', `it's "quoted"`, '$(touch pwned)', 'x; touch pwned2', '`touch pwned3`', '-rf', 'new\nline', 'é ✓']

let host: TestHost
const open: Transport[] = []
const connect = async (user?: string) => {
  const transport = await sshTo(host, user)
  open.push(transport)
  return transport
}

before(async () => {
  host = await leaseHost()
  await host.sh(`rm -rf ${DIR} /root/pwned* && mkdir -p ${DIR} && chmod 777 ${DIR}`)
})
after(async () => {
  await Promise.all(open.map((t) => t.close()))
  await host.sh(`rm -rf ${DIR}`)
})

/** name → base64 content of every file in DIR, read without tend: the names never pass through a shell word. */
async function filesOnHost(): Promise<Record<string, string>> {
  const listing = await host.sh(`cd ${DIR} && for f in * .[!.]*; do [ -e "$f" ] || continue; printf '%s\\0' "$f"; base64 -w0 < "$f"; printf '\\0'; done`)
  const parts = listing.stdout.split('\0').slice(0, -1)
  return Object.fromEntries(parts.flatMap((part, i) => (i % 2 === 0 ? [[part, parts[i + 1] ?? '']] : [])))
}

test('file over ssh: hostile names round-trip byte-exact, twice, and inject nothing', async () => {
  const ctx = await contextFor(await connect())
  const expected: Record<string, string> = {}
  for (const [i, name] of HOSTILE.entries()) {
    const content = `${name}\n\u0000\u00ff binary? no: text with $HOME and \`id\` ${i}\n`
    const spec: FileSpec = { path: `${DIR}/${name}`, content }
    assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [`create ${spec.path} (${Buffer.byteLength(content)} bytes)`])
    assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [])
    expected[name] = Buffer.from(content).toString('base64')
  }
  assert.deepEqual(await filesOnHost(), expected)
  const stray = await host.sh('ls -A /root /tmp / | grep pwned || true')
  assert.equal(stray.stdout, '', 'no injected command ran')
})

test('file over ssh sets mode, owner and group, as stat on the host shows', async () => {
  const ctx = await contextFor(await connect())
  const path = `${DIR}/owned.conf`
  const spec: FileSpec = { path, content: 'secret=1\n', mode: '0640', owner: 'tend', group: 'tend' }
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [`create ${path} (9 bytes, mode 0640, owner tend:tend)`])
  assert.equal((await host.sh(`stat -c '%a %U %G' ${path}`)).stdout, '640 tend tend\n')
  const back: FileSpec = { ...spec, mode: '0600', owner: 'root' }
  assert.deepEqual((await convergeOnce('file', ctx, back)).summaries, [`chmod ${path}: mode 0640 → 0600`, `chown ${path}: owner tend → root`])
  assert.equal((await host.sh(`stat -c '%a %U %G' ${path}`)).stdout, '600 root tend\n')
  assert.deepEqual((await convergeOnce('file', ctx, back)).summaries, [])
})

test('file over ssh as user tend with become root writes a root-only file through sudo', async () => {
  const ctx = await contextFor(await connect('tend'), { become: 'root' })
  const path = `${DIR}/via-sudo`
  const spec: FileSpec = { path, content: 'from sudo\n', mode: '0600', owner: 'root', group: 'root' }
  assert.equal((await convergeOnce('file', ctx, spec)).changes.length, 1)
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [])
  assert.equal((await host.sh(`stat -c '%a %U %G' ${path} && cat ${path}`)).stdout, '600 root root\nfrom sudo\n')
})

test('file over ssh removes a file with state absent, then has nothing to do', async () => {
  const ctx = await contextFor(await connect())
  const path = `${DIR}/gone`
  await host.sh(`echo x > ${path}`)
  assert.deepEqual((await convergeOnce('file', ctx, { path, state: 'absent' })).summaries, [`remove ${path}`])
  assert.equal((await host.sh(`test -e ${path}`)).exitCode, 1)
  assert.deepEqual((await convergeOnce('file', ctx, { path, state: 'absent' })).summaries, [])
})

test('template over ssh renders on the controller and writes on the host, then has nothing to do', async () => {
  const playbookDir = await mkdtemp(join(tmpdir(), 'tend-template-ssh-'))
  await mkdir(join(playbookDir, 'templates'))
  await writeFile(join(playbookDir, 'templates', 'app.env.j2'), 'PORT={{ port }}\nHOST={{ inventory_hostname }}\n')
  const ctx = await contextFor(await connect(), { playbookDir, vars: { port: 8000, inventory_hostname: host.name } })
  const spec = { src: 'templates/app.env.j2', dest: `${DIR}/app.env`, mode: '0644' }
  assert.equal((await convergeOnce('template', ctx, spec)).changes.length, 1)
  assert.deepEqual((await convergeOnce('template', ctx, spec)).summaries, [])
  assert.equal((await host.sh(`cat ${DIR}/app.env`)).stdout, `PORT=8000\nHOST=${host.name}\n`)
})
