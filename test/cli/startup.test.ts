/**
 * What `tend` loads at start, per command, as bench/profile/first-byte.mjs records it (ES modules
 * through a loader hook, CommonJS from require.cache): a command loads only what it needs.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { cleanEnv, finished, project, TEND } from './support.js'
import { spawn } from 'node:child_process'

const root = fileURLToPath(new URL('../../', import.meta.url))
const PRELOAD = resolve(root, 'bench/profile/first-byte.mjs')

// What a user starts: the built CLI. Without a current build bin/tend.js falls back to tsx, whose
// own IPC socket would be the first "contact" (test/web/bundle.test.ts builds too, in another order).
before(() => { execFileSync(resolve(root, 'scripts', 'build'), ['--if-stale'], { cwd: root, stdio: 'inherit' }) })

interface Startup {
  readonly firstByteMs: number | null
  readonly firstByte: string
  readonly packages: readonly string[]
}

async function startup(args: readonly string[], cwd: string): Promise<Startup> {
  const env = cleanEnv({ TEND_STARTUP_MODULES: '1' })
  const done = await finished(spawn(process.execPath, ['--import', PRELOAD, TEND, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] }))
  const line = done.stderr.split('\n').find((l) => l.startsWith('startup '))
  assert.ok(line, `no startup line in:\n${done.stderr}`)
  return JSON.parse(line.slice('startup '.length)) as Startup
}

/** Never needed by validating, or by a run whose hosts are local and whose output is not a terminal. */
const HEAVY = ['ajv', 'listr2', 'ssh2', 'bullmq', 'ioredis', 'prom-client', 'puppeteer-core']

function assertNone(loaded: Startup, packages: readonly string[]): void {
  const present = packages.filter((p) => loaded.packages.includes(p))
  assert.deepEqual(present, [], `loaded: ${loaded.packages.join(' ')}`)
}

test('tend --version loads the command line parser and nothing of the engine', async () => {
  const loaded = await startup(['--version'], root)
  assertNone(loaded, [...HEAVY, 'yaml', 're2js', 'better-sqlite3', 'zx'])
})

test('tend validate compiles no schema (no ajv) and opens no state store or transport', async () => {
  const loaded = await startup(['validate', 'playbooks/api-recover.yaml'], root)
  assertNone(loaded, [...HEAVY, 'better-sqlite3', 'zx'])
  assert.equal(loaded.firstByteMs, null, 'validate contacted something')
})

test('tend run on a local host without a terminal loads neither ssh2, listr2, ajv nor the queue', async () => {
  const dir = await project({
    'inventory.yaml': 'all:\n  hosts:\n    here: { ansible_connection: local }\n',
    'play.yaml': '- hosts: all\n  tasks:\n    - name: nothing to do\n      command: ["true"]\n',
  })
  const loaded = await startup(['run', 'play.yaml', '-i', 'inventory.yaml'], dir)
  assertNone(loaded, HEAVY)
  assert.match(loaded.firstByte, /^spawn /, 'the first thing sent to the host is the local exec')
})
