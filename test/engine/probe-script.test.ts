/**
 * The batch script (engine/probe-script.ts) run by a real /bin/sh on this machine: every part's
 * exit code, stdout and stderr come back exactly, whatever they contain, and nothing a part prints
 * can pose as another part's result.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { BatchUnusable, batchArgv, parseBatch } from '../../src/engine/probe-script.js'

const run = promisify(execFile)

async function batch(commands: readonly (readonly string[])[], env: NodeJS.ProcessEnv = process.env) {
  // /bin/sh by path: the host's shell is found even where PATH finds nothing else.
  const [, ...args] = batchArgv(commands)
  const { stdout, stderr } = await run('/bin/sh', args, { env })
  return parseBatch({ exitCode: 0, stdout, stderr }, commands.length)
}

test('each part comes back with its own exit code, stdout and stderr, in order', async () => {
  const results = await batch([
    ['sh', '-c', 'echo one; echo err >&2; exit 3', 'tend-a'],
    ['printf', '%s\\n', 'two words', "it's"],
    ['sh', '-c', 'sleep 0.2; printf "late"', 'tend-b'],
  ])
  assert.deepEqual(results, [
    { exitCode: 3, stdout: 'one\n', stderr: 'err\n' },
    { exitCode: 0, stdout: "two words\nit's\n", stderr: '' },
    { exitCode: 0, stdout: 'late', stderr: '' },
  ])
})

test('output that looks like the batch format, or holds any byte, is data', async () => {
  const forged = '@part 1 0\nZm9yZ2Vk\n\n@fail base64\n'
  const [first, second] = await batch([
    ['printf', '%s', forged],
    ['sh', '-c', 'printf "\\303\\251\\000\\n\\n"; exit 1', 'tend-c'],
  ])
  assert.equal(first?.stdout, forged)
  assert.equal(first?.exitCode, 0)
  assert.equal(second?.exitCode, 1)
  assert.equal(second?.stdout, 'é\u0000\n\n')
})

test('a host without base64 makes the batch unusable, with the reason', async () => {
  await assert.rejects(batch([['true']], { PATH: '/nonexistent' }), (error: unknown) =>
    error instanceof BatchUnusable && /base64|mktemp/.test(error.message))
})

test('a truncated answer is refused, not half used', () => {
  // Killed after the sizes: no data line. And data shorter than the sizes say.
  assert.throws(() => parseBatch({ exitCode: 137, stdout: '@rc 0 0\n@sizes 2 0 0 0 2\n', stderr: 'Killed' }, 2), BatchUnusable)
  assert.throws(() => parseBatch({ exitCode: 0, stdout: '@rc 0 0\n@sizes 2 0 1 0 3\n@data b2s=\n', stderr: '' }, 2), BatchUnusable)
  assert.deepEqual(parseBatch({ exitCode: 0, stdout: '@rc 0 1\n@sizes 2 0 0 0 2\n@data b2s=\n', stderr: '' }, 2),
    [{ exitCode: 0, stdout: 'ok', stderr: '' }, { exitCode: 1, stdout: '', stderr: '' }])
})
