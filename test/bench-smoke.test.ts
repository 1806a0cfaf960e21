import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Runs `npm run bench -- --smoke` as a user would; the bench boots (and tears down) its own host. */
function runSmoke(out: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run.ts'), '--smoke', '--out', out],
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
}

test('the smoke benchmark converges one real host with tend and the ssh floor and writes a result row for each', {
  skip: process.getuid?.() !== 0 ? 'needs root to boot test hosts' : false,
  timeout: 300_000,
}, async () => {
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
    assert.ok(Array.isArray(result.targets) && result.targets.length > 0, 'targets are reported')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})
