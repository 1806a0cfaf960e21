/**
 * /proc/<pid>/cgroup → the systemd cgroup path and the unit that owns it.
 * cgroup v1 (and hybrid): `1:name=systemd:/system.slice/x.service` is where systemd tracks units;
 * cgroup v2: `0::/system.slice/x.service`. Hybrid hosts have both; the name=systemd line wins.
 */
export function systemdCgroupPath(text: string): string | undefined {
  let unified: string | undefined
  for (const line of text.split('\n')) {
    const first = line.indexOf(':')
    const second = line.indexOf(':', first + 1)
    if (first < 0 || second < 0) continue
    const controllers = line.slice(first + 1, second)
    const path = line.slice(second + 1)
    if (controllers === 'name=systemd') return path
    if (line.slice(0, first) === '0' && controllers === '') unified = path
  }
  return unified
}

/** Where a process lives, as far as deciding who may hold a port goes. */
export type CgroupPlace =
  /** Inside a unit on the system manager: a service, a scope (init.scope, a container), … */
  | { readonly kind: 'unit'; readonly unit: string; readonly path: string }
  /** A login session or a user's own manager: started by hand, outside any system unit. */
  | { readonly kind: 'user'; readonly unit: string | undefined; readonly path: string }
  /** The root cgroup or a bare slice: not in any unit. */
  | { readonly kind: 'none'; readonly path: string }

const UNIT_SUFFIX = /\.(service|scope|socket|mount|swap|device|target|timer|path|automount)$/

/** The innermost unit on the path: `/system.slice/x.service/sub` → x.service. */
export function unitOfCgroup(path: string): string | undefined {
  const parts = path.split('/').filter((part) => part !== '')
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    const part = parts[i] ?? ''
    // systemd's cg_escape() prefixes `_` only to names clashing with kernel files; units don't.
    if (UNIT_SUFFIX.test(part)) return part
  }
  return undefined
}

export function placeOfCgroup(path: string): CgroupPlace {
  const unit = unitOfCgroup(path)
  if (path === '/user.slice' || path.startsWith('/user.slice/')) return { kind: 'user', unit, path }
  return unit === undefined ? { kind: 'none', path } : { kind: 'unit', unit, path }
}

/** Whether a process cgroup path lies in a unit's ControlGroup (the unit's own or a sub-cgroup). */
export function inControlGroup(path: string, controlGroup: string): boolean {
  return controlGroup !== '' && (path === controlGroup || path.startsWith(`${controlGroup}/`))
}

