import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** Everything a later run needs to find and undo one booted host. */
export interface HostRecord {
  readonly name: string
  readonly index: number
  readonly address: string
  readonly port: number
  /** tmpfs mount point holding upper/ work/ root/ */
  readonly dir: string
  readonly veth: string
  readonly cgroupDirs: readonly string[]
  /** systemd-nspawn's pid and its /proc start time (so a recycled pid is never signalled) */
  launcher?: { readonly pid: number; readonly startTime: string }
}

export interface TestbedState {
  readonly version: 1
  readonly stateDir: string
  readonly prefix: string
  /** the process that owns an ephemeral testbed (tests); null = stays up until `down` */
  readonly owner: { readonly pid: number; readonly startTime: string } | null
  readonly keyFile: string
  readonly knownHostsFile: string
  readonly inventoryFile: string
  /** sudo password of user tendpw on every host (a test fixture, not a secret worth protecting) */
  readonly tendpwPassword: string
  hosts: HostRecord[]
}

/** Where testbeds keep their state unless told otherwise (one dir per testbed). */
export const TESTBED_ROOT = '/run/tend-testbed'

export const stateFileOf = (stateDir: string): string => join(stateDir, 'testbed.json')

export function readState(stateFile: string): TestbedState {
  return JSON.parse(readFileSync(stateFile, 'utf8')) as TestbedState
}

/** Atomic replace, so an interrupted run leaves the previous complete record behind. */
export function writeState(state: TestbedState): void {
  mkdirSync(state.stateDir, { recursive: true })
  const file = stateFileOf(state.stateDir)
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n')
  renameSync(`${file}.tmp`, file)
}
