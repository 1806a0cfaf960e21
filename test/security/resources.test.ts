/**
 * Templates that ask for more than a run can give (huge products, a crypt with a billion rounds,
 * nested loops, a controller "file" that never ends): each is refused, in time and without a
 * crash. Each runs alone, in a tend given 512 MB of heap and 20 s, so a bomb that goes off costs
 * the suite seconds, not the machine; the batches of entry-authored hold only payloads that are
 * cheap whatever the engine does with them.
 */
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, openSync, closeSync, ftruncateSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ExitCode } from '../../src/exit-codes.js'
import { cleanEnv, finished, project, TEND } from '../cli/support.js'
import { yq } from './batch.js'

const scratch = mkdtempSync(join(tmpdir(), 'tend-ssti-res-'))
/** A FIFO no one writes (a read blocks for ever) and a 3 GB sparse file (more than a string holds). */
const fifo = join(scratch, 'fifo')
execFileSync('mkfifo', [fifo])
const sparse = join(scratch, 'sparse')
const fd = openSync(sparse, 'w')
ftruncateSync(fd, 3 * 1024 ** 3)
closeSync(fd)

const BOMBS = [
  `{{ range(100000) | product(range(100000)) | list | length }}`,
  `{{ range(1000) | product(range(1000), range(1000)) | list | length }}`,
  `{{ range(100000) | permutations(2) | list | length }}`,
  `{{ range(100000) | combinations(2) | list | length }}`,
  `{{ 'x' | password_hash('sha512', 'saltsalt', rounds=999999999) }}`,
  `{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}`,
  `{{ lookup('file', ${yq(fifo)}) | length }}`,
  `{{ lookup('file', ${yq(sparse)}) | length }}`,
  `{{ lookup('template', ${yq(fifo)}) | length }}`,
]

const LIMIT_MS = 20_000

async function runBomb(payload: string): Promise<string | undefined> {
  const dir = await project({
    'site.yaml': `- hosts: all\n  tasks:\n    - { name: bomb, debug: { msg: ${yq(payload)} }, ignore_errors: true }\n`,
    inventory: 'all:\n  hosts:\n    localhost: { ansible_connection: local }\n',
  })
  const child = spawn(process.execPath, ['--max-old-space-size=512', TEND, 'run', 'site.yaml', '-i', 'inventory'], {
    cwd: dir, env: cleanEnv({ TEND_STATE_DIR: mkdtempSync(join(scratch, 'state-')), TEND_LOCK_DIR: mkdtempSync(join(scratch, 'lock-')) }), stdio: ['ignore', 'pipe', 'pipe'],
  })
  const started = Date.now()
  const timer = setTimeout(() => child.kill('SIGKILL'), LIMIT_MS)
  const run = await finished(child)
  clearTimeout(timer)
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  const text = (run.stderr + run.stdout).replace(/\s+/g, ' ').slice(-400)
  if (run.code === null) return `killed after ${seconds} s (no answer within ${LIMIT_MS / 1000} s)`
  if (![ExitCode.ok, ExitCode.hostFailed, ExitCode.invalidInput].includes(run.code as 0)) return `exit ${run.code} after ${seconds} s: ${text}`
  if (/unexpected error|internal error|\n\s+at /.test(run.stderr + run.stdout)) return `crashed after ${seconds} s: ${text}`
  return undefined
}

test('a template that asks for too much is refused in time, without a crash', async () => {
  const failures: string[] = []
  // Two at a time: the machine has two cores.
  for (let i = 0; i < BOMBS.length; i += 2) {
    const results = await Promise.all(BOMBS.slice(i, i + 2).map(async (p) => [p, await runBomb(p)] as const))
    for (const [payload, failure] of results) if (failure) failures.push(`- ${payload}: ${failure}`)
  }
  assert.equal(failures.length, 0, `${failures.length} of ${BOMBS.length}:\n${failures.join('\n')}`)
})
