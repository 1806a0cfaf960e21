/**
 * `npm test` = `tsx test/run.ts [files…]` (root): the whole suite (default: every test/**\/*.test.ts).
 * The host-free files (test/support/needs-hosts.ts says which) start at once, side by side with
 * booting the test hosts; the files that need hosts run once both are done (env TEND_TEST_HOSTS,
 * default 6), with TEND_TESTBED set, and the hosts are always torn down. The exit code is the
 * worst of the two runners'.
 *
 * `npm run test:unit` = `tsx test/run.ts --unit [files…]`: only the files that need neither hosts
 * nor root, run as any user. Both first bring the bundle up to date (scripts/build --if-stale).
 *
 * Each test file has TEST_TIMEOUT_MS: node 20's `--test-timeout` bounds a file's whole process
 * (its tests get no bound of their own from it), so a hung wait fails that file instead of CI.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { sortByNeeds } from './support/needs-hosts.js'
import { cleanStaleRedis } from './support/redis.js'
import { TestbedUnavailable, bootHosts, checkPrerequisites, cleanStaleTestbeds, teardown } from '../src/testbed/index.js'

/** The slowest file took 51 s in a full run on this 2-core machine (test/e2e/rollout.test.ts), the
 *  slowest test 32 s; five minutes leaves room for a loaded machine and still ends a hang. */
const TEST_TIMEOUT_MS = 300_000

const root = join(import.meta.dirname, '..')
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`

function allTestFiles(): string[] {
  return readdirSync(join(root, 'test'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts')).map((f) => join('test', f)).sort()
}

const runners = new Set<ChildProcess>()
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
    for (const runner of runners) if (runner.exitCode === null) runner.kill(signal)
    void teardownOnce().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  })
}

/** node's test runner on `files`. With `onOutput`, its stdout is handed over instead of inherited. */
function runTests(files: readonly string[], env: NodeJS.ProcessEnv, onOutput?: (text: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const runner = spawn(process.execPath, [
      '--import', 'tsx', '--import', './test/support/process-env.ts',
      '--test', '--test-concurrency=2', `--test-timeout=${TEST_TIMEOUT_MS}`, ...files,
    ], { cwd: root, stdio: ['ignore', onOutput === undefined ? 'inherit' : 'pipe', 'inherit'], env })
    runners.add(runner)
    runner.stdout?.setEncoding('utf8').on('data', (text: string) => onOutput?.(text))
    runner.on('error', reject)
    runner.on('close', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)))
  })
}

/** Host-free files without TEND_TESTBED, so one that reaches for the hosts fails with testbed()'s error. */
function hostFreeEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  delete env.TEND_TESTBED
  return env
}

async function unitOnly(unit: readonly string[], leftOut: readonly string[]): Promise<number> {
  if (leftOut.length > 0) console.log(`test:unit: leaving out ${leftOut.length} file(s) that need hosts or root`)
  if (unit.length === 0) return 0
  const started = Date.now()
  const code = await runTests(unit, hostFreeEnv())
  console.log(`test:unit: ${unit.length} files in ${seconds(started)}, exit ${code}`)
  return code
}

/** The host-free runner's TAP is printed as one block when it ends, so it never interleaves with the
 *  host runner's stream, which goes out line by line. */
async function whole(hostFree: readonly string[], needHosts: readonly string[]): Promise<number> {
  let held = ''
  const freeStarted = Date.now()
  const free = hostFree.length === 0 ? Promise.resolve(0) : runTests(hostFree, hostFreeEnv(), (text) => { held += text }).then((code) => {
    process.stdout.write(`# host-free files (${hostFree.length}, exit ${code}, ${seconds(freeStarted)}):\n${held}`)
    return code
  })
  const hosts = needHosts.length === 0 ? Promise.resolve(0) : withHosts(needHosts, free)
  const [freeCode, hostCode] = await Promise.all([free, hosts])
  return freeCode !== 0 ? freeCode : hostCode
}

async function withHosts(files: readonly string[], after: Promise<unknown> = Promise.resolve()): Promise<number> {
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
    // The host files wait for the host-free ones: on a 2-core machine four test processes at once
    // made timing-sensitive cli tests flaky; booting is what overlaps.
    await after
    let partial = ''
    return await runTests(files, { ...process.env, TEND_TESTBED: bed.stateFile }, (text) => {
      const lines = (partial + text).split('\n')
      partial = lines.pop() as string
      if (lines.length > 0) process.stdout.write(lines.map((l) => `${l}\n`).join(''))
    }).finally(() => { if (partial !== '') process.stdout.write(`${partial}\n`) })
  } finally {
    await teardownOnce()
  }
}

/**
 * The bundle (scripts/build), rebuilt only when a source is newer: every `tend` a test starts then
 * loads a few files instead of compiling hundreds through tsx (about a quarter of the CPU per
 * process). bin/tend.js falls back to the sources by itself should one change during the run.
 */
function buildIfStale(): Promise<void> {
  const started = Date.now()
  return new Promise((resolve, reject) => {
    const build = spawn(join(root, 'scripts', 'build'), ['--if-stale'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] })
    build.on('error', reject)
    build.on('close', (code) => {
      if (code !== 0) return reject(new Error(`scripts/build --if-stale exited ${code}`))
      console.log(`build: bundle current (${seconds(started)})`)
      resolve()
    })
  })
}

async function main(): Promise<number> {
  await buildIfStale()
  const args = process.argv.slice(2)
  const unit = args[0] === '--unit'
  const named = unit ? args.slice(1) : args
  const files = named.length > 0 ? named.map((f) => relative(root, join(process.cwd(), f))) : allTestFiles()
  const needs = sortByNeeds(root, files)
  return unit ? unitOnly(needs.unit, [...needs.root, ...needs.hosts]) : whole([...needs.unit, ...needs.root], needs.hosts)
}

main().then((code) => { process.exitCode = process.exitCode === 1 ? 1 : code }, (err: unknown) => {
  console.error(`testbed: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
})
