import { existsSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Cgroup directories a launcher gets, one per hierarchy systemd uses: v1 `name=systemd` plus the
 * hybrid `unified` v2 tree, or the root of a pure v2 mount. Without its own directory every
 * nspawn uses `/payload` of the shared cgroup and two hosts collide.
 */
export function cgroupDirsFor(name: string): string[] {
  if (systemdIsPid1()) return []  // systemd owns the tree there: launch() asks it for a delegated scope
  const base = '/sys/fs/cgroup'
  if (existsSync(join(base, 'cgroup.controllers'))) return [join(base, 'tend-testbed', name)]
  return ['systemd', 'unified']
    .filter((h) => existsSync(join(base, h, 'cgroup.procs')))
    .map((h) => join(base, h, 'tend-testbed', name))
}

/** True when systemd is this machine's PID 1 (a bus exists and systemd owns the cgroup tree). */
export function systemdIsPid1(): boolean {
  try {
    return readFileSync('/proc/1/comm', 'utf8').trim() === 'systemd'
  } catch {
    return false
  }
}

/** rmdir depth-first; cgroup dirs cannot be removed with rm -r, only leaf by leaf. */
export function removeCgroupTree(dir: string): void {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir)) {
    const child = join(dir, entry)
    if (statSync(child).isDirectory()) removeCgroupTree(child)
  }
  rmdirSync(dir)
}
