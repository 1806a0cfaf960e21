/**
 * The hostile-input corpus (issue 20), what tasks carry and commands print: NUL bytes in paths and
 * arguments (literal and templated), timers no timer holds, endless, binary and invalid UTF-8
 * output, escape sequences that would repaint a failure as ok. Each is answered within its bound,
 * with a clear message and the right exit code; time and peak memory are reported. On the local
 * transport: output-cap.test.ts covers ssh.
 */
import { test } from 'node:test'
import { RUN_CASES } from './hostile-cases.js'
import { runCorpus } from './hostile.js'

test(`${RUN_CASES.length} hostile task arguments and command outputs are each answered in time, with the right exit code`, async (t) => {
  await runCorpus(t, RUN_CASES)
})
