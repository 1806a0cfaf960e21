/**
 * Loaded into every test process by test/run.ts (`--import`). Each test file runs in a process of
 * its own; giving each its own host-lock directory for this machine (TEND_LOCK_DIR: only the local
 * transport reads it) and its own state directory lets files that converge "localhost" in process
 * run side by side, as different machines would, and keeps tests out of ~/.local/state/tend.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

process.env.TEND_LOCK_DIR ??= mkdtempSync(join(tmpdir(), 'tend-lock-'))
process.env.TEND_STATE_DIR ??= mkdtempSync(join(tmpdir(), 'tend-state-'))
