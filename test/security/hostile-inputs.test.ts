/**
 * The hostile-input corpus (issue 20): alias bombs, deep nesting, huge lines and files, invalid
 * UTF-8, binary and endless output, symlinks to devices, FIFOs, names that are paths, NUL bytes,
 * timers no timer holds, escape sequences. Each case is answered within its bound, with a clear
 * message (file:line:column where it is a file) and the right exit code, and never a crash. The
 * time and peak memory of each are reported (not asserted). Two cases run at once.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CASES } from './hostile-cases.js'
import { answer, judgeAnswer, scratchDir, type HostileCase } from './hostile.js'

const AT_ONCE = 2

test(`${CASES.length} hostile inputs are each answered in time, with a clear message and the right exit code`, async (t) => {
  assert.ok(CASES.length >= 60, `${CASES.length} cases`)
  const scratch = scratchDir()
  const problems: string[] = []
  // TEND_HOSTILE_ONLY=REGEX runs the cases whose name matches (while working on one).
  const only = process.env.TEND_HOSTILE_ONLY
  const queue = CASES.filter((c) => only === undefined || new RegExp(only).test(c.name))
  const worker = async (): Promise<void> => {
    for (let c: HostileCase | undefined; (c = queue.shift()) !== undefined;) {
      const a = await answer(c, scratch)
      const problem = judgeAnswer(c, a)
      t.diagnostic(`${problem === undefined ? 'ok  ' : 'FAIL'} ${c.name}: exit ${a.code} in ${a.ms} ms, peak ${a.mb ?? '?'} MB`)
      if (problem !== undefined) problems.push(`${c.name}: ${problem}`)
    }
  }
  await Promise.all(Array.from({ length: AT_ONCE }, worker))
  assert.deepEqual(problems, [])
})
