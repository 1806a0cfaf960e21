import { spawn } from 'node:child_process'
import { mkdirSync, openSync, closeSync } from 'node:fs'
import { join } from 'node:path'
import { startTimeOf } from './proc.js'
import { systemdIsPid1 } from './cgroups.js'
import { shQuote } from '../transport/quote.js'
import { projectRoot } from '../project-root.js'

/** Where every test host also sees the checkout (read-only), outside any /tmp. */
export const HOST_CHECKOUT = '/opt/tend'

export interface LaunchInput {
  readonly name: string
  /** the host's tmpfs dir holding root/ */
  readonly dir: string
  readonly cgroupDirs: readonly string[]
}

/**
 * Starts systemd-nspawn booting the host, in a new session, output to DIR/console.log. A small sh
 * moves itself into the host's own cgroup dirs and then execs nspawn, so the recorded pid is
 * nspawn's. `--register=no --keep-unit`: no system bus is needed (none exists without systemd as
 * PID 1) and nspawn stays in the cgroup it was started in. (Untested on a machine with systemd as
 * PID 1: there the launcher gets a delegated transient scope instead of hand-made cgroup dirs.)
 */
export function launch(input: LaunchInput): { pid: number; startTime: string } {
  for (const dir of input.cgroupDirs) mkdirSync(dir, { recursive: true })
  const joinCgroups = input.cgroupDirs.map((_, i) => `echo $$ > "$${i + 1}"/cgroup.procs`).join(' && ')
  // Where systemd is PID 1 it must not find foreign processes in its tree: a transient scope with
  // Delegate=yes (systemd-run --scope execs in place, so the pid stays nspawn's) is the proper home.
  const scope = systemdIsPid1()
    ? `systemd-run --scope --quiet --collect -p Delegate=yes --unit=${shQuote(`tend-testbed-${input.name}`)} `
    : ''
  const script = `${joinCgroups || 'true'} && shift ${input.cgroupDirs.length} && exec ${scope}systemd-nspawn "$@"`
  const log = openSync(join(input.dir, 'console.log'), 'a')
  const child = spawn('/bin/sh', ['-c', script, 'launcher', ...input.cgroupDirs,
    '-D', join(input.dir, 'root'), '-M', input.name, '-b', '--register=no', '--keep-unit',
    '--link-journal=no', '--console=read-only', `--network-namespace-path=/run/netns/${input.name}`,
    // The checkout, read-only at the same path: tests run tend inside hosts, and the host's own
    // /tmp is a fresh tmpfs that would hide a checkout under /tmp (where CI may clone).
    `--bind-ro=${projectRoot()}`,
    // …and at /opt/tend, where an operator would install it: units run with PrivateTmp=yes
    // (contrib/systemd) must find tend whatever path the checkout has on the machine.
    `--bind-ro=${projectRoot()}:${HOST_CHECKOUT}`,
  ], { detached: true, stdio: ['ignore', log, log] })
  closeSync(log)
  child.unref()
  if (child.pid === undefined) throw new Error(`cannot start systemd-nspawn for ${input.name}`)
  return { pid: child.pid, startTime: startTimeOf(child.pid) ?? '' }
}
