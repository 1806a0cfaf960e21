import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { checkPrerequisites } from '../src/testbed/index.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Runs `npm run bench -- --smoke` as a user would; the bench boots (and tears down) its own host. */
function runSmoke(out: string, ...extra: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), '--smoke', '--out', out, ...extra],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (d: Buffer) => { output += d.toString() })
    child.stderr.on('data', (d: Buffer) => { output += d.toString() })
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, output }))
  })
}

interface Row {
  readonly scenario: string
  readonly peer: string
  readonly hosts: number
  readonly iterations: number
  readonly failedRuns: number
  readonly wallSeconds: { readonly median: number }
  readonly cpuSeconds: { readonly median: number }
  readonly peakRssMb: { readonly max: number }
  readonly roundTripsPerHost?: number
}

test('the smoke benchmark converges one real host with tend and the ssh floor and writes a result row for each', {
  skip: process.getuid?.() !== 0 ? 'needs root to boot test hosts' : false,
  timeout: 300_000,
}, async () => {
  checkPrerequisites() // the bench boots its host with the testbed's tooling: name what is missing, if anything
  const dir = await mkdtemp(join(tmpdir(), 'tend-bench-smoke-'))
  try {
    const out = join(dir, 'latest.json')
    const run = await runSmoke(out)
    assert.equal(run.code, 0, `bench --smoke failed:\n${run.output.slice(-4000)}`)
    assert.match(run.output, /no-change, 1 host/, 'the table names the scenario')
    const result = JSON.parse(await readFile(out, 'utf8')) as { rows: Row[]; targets: unknown[] }
    assert.deepEqual(result.rows.map((r) => r.peer).sort(), ['floor', 'tend'])
    for (const row of result.rows) {
      assert.equal(row.scenario, 'no-change, 1 host')
      assert.equal(row.hosts, 1)
      assert.equal(row.iterations, 1)
      assert.equal(row.failedRuns, 0, `${row.peer} failed its run`)
      // well-formed measurements (never a timing threshold: a benchmark is not a test)
      for (const value of [row.wallSeconds.median, row.cpuSeconds.median, row.peakRssMb.max]) {
        assert.ok(Number.isFinite(value) && value > 0, `${row.peer}: ${JSON.stringify(row)}`)
      }
    }
    // The number test/engine/probe-ahead.test.ts finds on a test host: a healthy host is one round trip.
    assert.equal(result.rows.find((r) => r.peer === 'tend')?.roundTripsPerHost, 1)
    assert.match(run.output, /RT\/host/, 'the table has the round-trips column')
    assert.ok(Array.isArray(result.targets) && result.targets.length > 0, 'targets are reported')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

interface Profile {
  readonly runs: number
  readonly failedRuns: number
  readonly cpu: { readonly totalMs: number; readonly groups: readonly { group: string; ms: number }[] }
  readonly timeline: {
    readonly phases: readonly { phase: string; atMs: number }[]
    readonly tasks: readonly { task: string; commands: number; roundTrips: number }[]
  }
}

test('the profile mode writes a CPU profile by group and a timeline with every phase of a tend run', {
  skip: process.getuid?.() !== 0 ? 'needs root to boot test hosts' : false,
  timeout: 300_000,
}, async () => {
  checkPrerequisites()
  const dir = await mkdtemp(join(tmpdir(), 'tend-bench-profile-'))
  try {
    const run = await runSmoke(join(dir, 'latest.json'), '--profile')
    assert.equal(run.code, 0, `bench --smoke --profile failed:\n${run.output.slice(-4000)}`)
    assert.match(run.output, /Timeline \(median of 1 run/, 'the timeline is printed')
    const profile = JSON.parse(await readFile(join(dir, 'profile-no-change-1-host.json'), 'utf8')) as Profile
    assert.equal(profile.runs, 1)
    assert.equal(profile.failedRuns, 0)
    const groups = profile.cpu.groups.map((g) => g.group)
    // Which groups have samples depends on what tend loads (ajv may be gone from start-up); loading is always there.
    assert.ok(profile.cpu.totalMs > 0 && groups.includes('module load/compile'), `groups: ${groups.join(', ')}`)
    const phases = profile.timeline.phases.map((p) => p.phase)
    for (const phase of ['main module loaded (tend:main)', 'playbook + inventory validated (tend:validated)', 'ssh connect called',
      'key exchange done (NEWKEYS)', 'authenticated (ready)', 'first command answered', 'run-end written', 'process exit']) {
      assert.ok(phases.includes(phase), `${phase} in ${phases.join(', ')}`)
    }
    // in order: validation before the connection, the connection before the first answer, exit last
    const at = (phase: string) => profile.timeline.phases.find((p) => p.phase === phase)!.atMs
    assert.ok(at('playbook + inventory validated (tend:validated)') < at('authenticated (ready)'))
    assert.ok(at('authenticated (ready)') < at('first command answered'))
    assert.equal(phases.at(-1), 'process exit')
    assert.ok(profile.timeline.tasks.length > 0, 'the tasks have rows')
    // A task may have no round trip of its own (its probe batched with an earlier one), the run has some.
    for (const task of profile.timeline.tasks) assert.ok(task.commands >= task.roundTrips, JSON.stringify(task))
    assert.ok(profile.timeline.tasks.reduce((n, t) => n + t.roundTrips, 0) >= 1)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
