/**
 * `npm test` = `tsx test/run.ts [files…]`: checks prerequisites, removes testbeds a killed run left
 * behind, boots the test hosts (env TEND_TEST_HOSTS, default 6), runs node's test runner on the
 * files (default: every test/**\/*.test.ts) with TEND_TESTBED set, and always tears the hosts down.
 * The exit code is the test runner's.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { cleanStaleRedis } from './support/redis.js'
import { TestbedUnavailable, bootHosts, checkPrerequisites, cleanStaleTestbeds, teardown } from '../src/testbed/index.js'

const root = join(import.meta.dirname, '..')
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`

function allTestFiles(): string[] {
  return readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts')).map((f) => join('test', f)).sort()
}

let runner: ChildProcess | undefined
let tornDown: Promise<void> | undefined
/** Only the testbed this run booted is ever torn down (other runs may be going on beside it). */
let stateDir: string | undefined

function teardownOnce(): Promise<void> {
  tornDown ??= (async () => {
    if (stateDir === undefined) return
    const started = Date.now()
    try {
      await teardown(stateDir)
      console.log(`testbed: torn down in ${seconds(started)}`)
    } catch (err) {
      console.error(`testbed: teardown failed: ${err instanceof Error ? err.message : String(err)}`)
      process.exitCode = 1
    }
  })()
  return tornDown
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`testbed: ${signal}, tearing down`)
    if (runner?.exitCode === null) runner.kill(signal)
    void teardownOnce().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  })
}

function runTests(files: readonly string[], stateFile: string): Promise<number> {
  return new Promise((resolve, reject) => {
    runner = spawn(process.execPath, ['--import', 'tsx', '--import', './test/support/process-env.ts', '--test', '--test-concurrency=2', ...files], {
      cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, TEND_TESTBED: stateFile },
    })
    runner.on('error', reject)
    runner.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)))
  })
}

async function main(): Promise<number> {
  const args = process.argv.slice(2)
  const files = args.length > 0 ? args.map((f) => relative(root, join(process.cwd(), f))) : allTestFiles()
  try {
    checkPrerequisites()
  } catch (err) {
    if (err instanceof TestbedUnavailable) {
      console.error(err.message)
      return 1
    }
    throw err
  }
  for (const dir of await cleanStaleTestbeds()) console.log(`testbed: removed stale ${dir}`)
  for (const dir of cleanStaleRedis()) console.log(`redis: removed stale ${dir}`)
  const count = Number(process.env.TEND_TEST_HOSTS ?? '6')
  const started = Date.now()
  try {
    const bed = await bootHosts({ count, prefix: 'tend-h', owner: 'process', onAllocated: (dir) => { stateDir = dir } })
    console.log(`testbed: ${bed.hosts.length} hosts up in ${seconds(started)} (${bed.hosts.map((h) => `${h.name}=${h.address}`).join(' ')})`)
    return await runTests(files, bed.stateFile)
  } finally {
    await teardownOnce()
  }
}

main().then((code) => { process.exitCode = process.exitCode === 1 ? 1 : code }, (err: unknown) => {
  console.error(`testbed: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
})
