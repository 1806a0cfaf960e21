/**
 * The hostile-input corpus (issue 20), what tend reads: alias bombs, deep nesting, huge lines and
 * files, invalid UTF-8, NUL bytes and escape sequences in files, BOMs, symlinks to devices, FIFOs,
 * loops, and inventory names that are paths. Each case is answered within its bound, with a clear
 * message (file:line:column where it is a file) and the right exit code, and never a crash; its
 * time and peak memory are reported, not asserted. hostile-runs.test.ts has what tasks carry and
 * commands print.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { READ_CASES, RUN_CASES } from './hostile-cases.js'
import { runCorpus } from './hostile.js'

test(`${READ_CASES.length} hostile inputs are each answered in time, with a clear message and the right exit code`, async (t) => {
  assert.ok(READ_CASES.length + RUN_CASES.length >= 60)
  await runCorpus(t, READ_CASES)
})
