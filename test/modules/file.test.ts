import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, stat, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { file } from '../../src/modules/file.js'
import type { FileSpec } from '../../src/modules/file.js'
import { ProbeError } from '../../src/errors.js'
import { convergeOnce, localContext } from './file-support.js'

const ctx = await localContext()
const scratch = () => mkdtemp(join(tmpdir(), 'tend-file-'))
const modeOf = async (path: string) => ((await stat(path)).mode & 0o7777).toString(8).padStart(4, '0')

test('file creates a missing file with content and mode, and a second run changes nothing', async () => {
  const path = join(await scratch(), 'app.conf')
  const spec: FileSpec = { path, content: 'port = 8000\n', mode: '0640' }
  const first = await convergeOnce('file', ctx, spec)
  assert.deepEqual(first.summaries, [`create ${path} (12 bytes, mode 0640)`])
  assert.equal(first.status, 'changed', 'nothing left after applying: the engine verified by probing again')
  assert.equal(await readFile(path, 'utf8'), 'port = 8000\n')
  assert.equal(await modeOf(path), '0640')
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [])
})

test('file replaces changed content, keeps the mode it had, and offers a before/after diff', async () => {
  const dir = await scratch()
  const path = join(dir, 'app.conf')
  await writeFile(path, 'a\nb\n', { mode: 0o600 })
  const spec: FileSpec = { path, content: 'a\nc\nd\n' }
  const changes = file.diff(spec, await file.probe(ctx, spec))
  assert.deepEqual(changes.map((c) => c.summary), [`update ${path}: content (+2 -1 lines)`])
  assert.ok(changes[0]?.action === 'write')
  assert.deepEqual(changes[0].diff, { path, before: 'a\nb\n', after: 'a\nc\nd\n' })
  await convergeOnce('file', ctx, spec)
  assert.equal(await readFile(path, 'utf8'), 'a\nc\nd\n')
  assert.equal(await modeOf(path), '0600')
  assert.deepEqual(await readdir(dir), ['app.conf'], 'no temp file is left behind')
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [])
})

test('file changes only the mode when the content already matches', async () => {
  const path = join(await scratch(), 'x')
  await writeFile(path, 'same\n', { mode: 0o644 })
  const spec: FileSpec = { path, content: 'same\n', mode: '600' }
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [`chmod ${path}: mode 0644 → 0600`])
  assert.equal(await modeOf(path), '0600')
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [])
})

test('file sets owner and group by name', { skip: process.getuid?.() !== 0 && 'needs root' }, async () => {
  const path = join(await scratch(), 'owned')
  await writeFile(path, 'x')
  const spec: FileSpec = { path, owner: 'nobody', group: 'nogroup' }
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [`chown ${path}: owner root → nobody, group root → nogroup`])
  const seen = await stat(path)
  assert.deepEqual([seen.uid, seen.gid, await readFile(path, 'utf8')], [65534, 65534, 'x'])
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [])
})

test('file with state absent removes the file, then has nothing to do', async () => {
  const dir = await scratch()
  const path = join(dir, 'old.conf')
  await writeFile(path, 'bye')
  const spec: FileSpec = { path, state: 'absent' }
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [`remove ${path}`])
  assert.deepEqual(await readdir(dir), [])
  assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [])
})

test('file replaces binary content byte-exactly and describes it in the diff', async () => {
  const path = join(await scratch(), 'blob')
  await writeFile(path, Buffer.from([0xff, 0x00, 0xfe, 0x0a]))
  const spec: FileSpec = { path, content: 'text now\n' }
  const [change] = file.diff(spec, await file.probe(ctx, spec))
  assert.ok(change?.action === 'write')
  assert.equal(change.diff.before, '(binary content, 4 bytes)\n')
  await convergeOnce('file', ctx, spec)
  assert.deepEqual(await readFile(path), Buffer.from('text now\n'))
})

test('file paths with spaces, quotes, $( ) and ; are written as-is and run nothing', async (t) => {
  const dir = await scratch()
  const names = [`a b`, `it's "quoted"`, `$(touch pwned)`, `x; touch pwned2`, '`touch pwned3`', '-rf']
  const cwd = process.cwd()
  process.chdir(dir) // an injected `touch pwned` would land here, where the listing below sees it
  t.after(() => process.chdir(cwd))
  for (const name of names) {
    const spec: FileSpec = { path: join(dir, name), content: `${name}\n\u00e9\t\\n\n`, mode: '0600' }
    assert.equal((await convergeOnce('file', ctx, spec)).changes.length, 1)
    assert.deepEqual((await convergeOnce('file', ctx, spec)).summaries, [])
    assert.equal(await readFile(spec.path, 'utf8'), spec.content)
  }
  assert.deepEqual((await readdir(dir)).sort(), [...names].sort())
})

test('file refuses to manage a directory', async () => {
  const path = join(await scratch(), 'd')
  await mkdir(path)
  await assert.rejects(file.probe(ctx, { path, content: 'x' }), (e) => e instanceof ProbeError && /is a directory/.test(e.message))
})

test('file reports a write into a missing directory as a failure naming the path', async () => {
  const path = join(await scratch(), 'no', 'such', 'f')
  const spec: FileSpec = { path, content: 'x' }
  const [change] = file.diff(spec, await file.probe(ctx, spec))
  assert.ok(change)
  const result = await file.apply?.(ctx, change, spec)
  assert.match(result?.failed ?? '', new RegExp(`create ${path}.*failed.*No such file`, 's'))
})
