import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The testbed cannot work here: one line with the reason and the fix. */
export class TestbedUnavailable extends Error {
  constructor(reason: string, readonly fix: string) {
    super(`testbed unavailable: ${reason} — fix: ${fix}`)
    this.name = 'TestbedUnavailable'
  }
}

function onPath(cmd: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin']
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK)
      return true
    } catch {
      return false
    }
  })
}

const APT = 'apt-get install -y systemd-container openssh-server sudo iproute2 python3 openssl (before any host is up)'

/** Throws TestbedUnavailable naming the first missing piece. */
export function checkPrerequisites(): void {
  if (process.getuid?.() !== 0) throw new TestbedUnavailable('not running as root (mounts, namespaces, cgroups need it)', 'run as root, e.g. `sudo npm test`')
  if (process.platform !== 'linux') throw new TestbedUnavailable(`platform is ${process.platform}`, 'run on Linux')
  const needs: ReadonlyArray<readonly [string, string]> = [
    ['systemd-nspawn', 'systemd-container'], ['ip', 'iproute2'], ['ssh', 'openssh-client'],
    ['ssh-keygen', 'openssh-client'], ['sshd', 'openssh-server'], ['sudo', 'sudo'], ['openssl', 'openssl'],
    ['mount', 'mount'],
  ]
  for (const [cmd, pkg] of needs) {
    if (!onPath(cmd)) throw new TestbedUnavailable(`\`${cmd}\` not found (package ${pkg})`, APT)
  }
  try {
    accessSync('/usr/bin/python3', constants.X_OK)
  } catch {
    throw new TestbedUnavailable('/usr/bin/python3 missing (the hosts\' app runs on it)', APT)
  }
}
