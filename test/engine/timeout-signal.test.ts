/**
 * A task's deadline must fire even after the garbage collector ran: on Node 20 a deadline made of
 * AbortSignal.any() and AbortSignal.timeout() silently never fires once both are collected.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'

const run = promisify(execFile)
const module = fileURLToPath(new URL('../../src/engine/context.ts', import.meta.url))

// In a child with --expose-gc: a deadline of 300 ms, nothing else referencing its parts, a GC.
const script = `
const { deadlineIn } = await import(${JSON.stringify(module)})
const deadline = deadlineIn(0.3, new AbortController().signal)
const { signal, change } = deadline
const fired = (s) => new Promise((resolve) => s.addEventListener('abort', () => resolve(s.reason?.name), { once: true }))
const both = Promise.all([fired(signal), fired(change)])
setTimeout(() => globalThis.gc(), 50)
const verdict = await Promise.race([both, new Promise((resolve) => setTimeout(() => resolve('never fired'), 2000))])
console.log(JSON.stringify(verdict))
`

test('a deadline fires after a garbage collection, on the read and the change signal alike', async () => {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script])
  assert.deepEqual(JSON.parse(stdout), ['TimeoutError', 'TimeoutError'])
})
