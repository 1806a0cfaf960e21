/** fresh's parsers and verdicts, on output shaped as real hosts print it; its path script run by dash here. */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parsePaths, pathsScript } from '../../src/modules/fresh/code-paths.js'
import { describeStale, staleProcesses, type FreshState } from '../../src/modules/fresh/fresh-state.js'
import { parseClock, parseUnitProcesses } from '../../src/modules/fresh/unit-procs.js'
import type { UnitState } from '../../src/modules/systemd/unit-state.js'

// Captured from a test host (PROCS_SCRIPT), a main process and a worker mapping a replaced file.
const CAPTURED = `@clock 1796052136.706963393 603.82 100
@proc 264
stat 264 (python3) S 1 264 264 0 -1 4194560 1500 0 0 0 5 2 0 0 20 0 1 0 41200 30000000 2500 18446744073709551615 1 1 0 0 0 0 0 16781312 2 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0 
cmd /usr/bin/python3 /opt/app/main.py 
exe /usr/bin/python3.11
@proc 270
stat 270 (python3) S 264 264 264 0 -1 4194560 900 0 0 0 3 1 0 0 20 0 1 0 41260 30000000 2500 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0 
cmd /usr/bin/python3 -c import mmap 
exe /usr/bin/python3.11
map /opt/app/data.bin
map /memfd:sealed-91173221a7ea
map /SYSV00000000
map /dev/shm/sem.x`

const unit = { id: 'app.service' } as UnitState

function parsed() {
  const lines = CAPTURED.split('\n')
  const clock = parseClock(lines[0])!
  return { clock, processes: parseUnitProcesses(lines.slice(1), clock) }
}

test('process start times come from boot time plus clock ticks; only deleted files that matter are kept', () => {
  const { clock, processes } = parsed()
  assert.equal(Math.round(clock.bootMs), Math.round(1796052136706.963393 - 603820))
  assert.deepEqual(processes.map((p) => [p.pid, p.startTime, Math.round(p.startedAtMs - clock.bootMs), p.deletedMaps]), [
    [264, '41200', 412000, []],
    [270, '41260', 412600, ['/opt/app/data.bin']],
  ])
})

test('a process is stale when it started before the newest change, or maps a deleted file; the change says which and why', () => {
  const { clock, processes } = parsed()
  const at = (s: number) => clock.bootMs + s * 1000
  const state = (newest: number): FreshState => ({ unit, processes, paths: [{ path: '/opt/app', kind: 'files', count: 3, newestMs: newest, newestFile: '/opt/app/main.py' }] })
  assert.deepEqual(staleProcesses(state(at(400))).map((s) => s.process.pid), [270])
  const both = staleProcesses(state(at(412.3)))
  assert.deepEqual(both.map((s) => s.process.pid), [264, 270])
  assert.match(describeStale(both), /^pid 264 \(\/usr\/bin\/python3 \/opt\/app\/main\.py\) started \S+ \S+ UTC, before \/opt\/app\/main\.py changed at \S+ \S+ UTC; pid 270 \(\/usr\/bin\/python3 -c import mmap\) maps \/opt\/app\/data\.bin, deleted or replaced since it was mapped$/)
})

test('the path script finds the newest change under hostile names, prunes excluded ones and tells missing from empty', () => {
  const root = mkdtempSync(join(tmpdir(), 'tend-fresh-'))
  const odd = join(root, `it's $(touch pwned); a dir`)
  mkdirSync(join(odd, '__pycache__'), { recursive: true })
  mkdirSync(join(root, 'empty', '.git'), { recursive: true })
  writeFileSync(join(odd, 'old.py'), '')
  utimesSync(join(odd, 'old.py'), 1000, 1000) // an old mtime, as rsync -a keeps it; its ctime is now
  execFileSync('sleep', ['0.05']) // file times tick with the kernel's coarse clock
  writeFileSync(join(odd, 'new file.py'), '')
  writeFileSync(join(odd, '__pycache__', 'x.pyc'), '')
  writeFileSync(join(root, 'empty', '.git', 'HEAD'), '')
  const paths = [odd, join(root, 'empty'), join(root, 'missing')]
  const out = execFileSync('/bin/dash', ['-c', pathsScript(paths, ['__pycache__', '*.pyc', '.git'])], { cwd: root }).toString()
  const states = parsePaths(paths, out.split('\n'))
  assert.deepEqual(states?.map((s) => (s.kind === 'files' ? [s.kind, s.count, s.newestFile] : [s.kind])), [
    ['files', 2, join(odd, 'new file.py')],
    ['files', 0, ''],
    ['missing'],
  ])
  assert.equal(existsSync(join(root, 'pwned')), false, 'a path is data, never shell text')
})
