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
  /** Inside a unit of the host's system manager: a service, a scope (init.scope, a container), … */
  | { readonly kind: 'unit'; readonly unit: string; readonly path: string }
  /** Inside a unit of a user's own manager (`user@UID.service/…/NAME.service`): a unit, not a rogue. */
  | { readonly kind: 'user-unit'; readonly unit: string; readonly uid: number; readonly path: string }
  /** A login session: started by hand, outside any unit. */
  | { readonly kind: 'user'; readonly unit: string | undefined; readonly path: string }
  /** The root cgroup or a bare slice: not in any unit. */
  | { readonly kind: 'none'; readonly path: string }

const UNIT_SUFFIX = /\.(service|scope|socket|mount|swap|device|target|timer|path|automount)$/

/**
 * The unit the host's manager knows a path by: the OUTERMOST unit on it. Whatever lies below a
 * unit (`/machine.slice/systemd-nspawn@x.service/payload/system.slice/x.service`) is that unit's
 * business: a nested container may run a unit of any name, the host's systemd knows only the container.
 */
export function unitOfCgroup(path: string): string | undefined {
  // systemd's cg_escape() prefixes `_` only to names clashing with kernel files; units don't.
  return path.split('/').find((part) => UNIT_SUFFIX.test(part))
}

const USER_MANAGER = /^\/user\.slice\/(?:[^/]+\.slice\/)*user@(\d+)\.service(\/.*)?$/

export function placeOfCgroup(path: string): CgroupPlace {
  const manager = USER_MANAGER.exec(path)
  if (manager !== null) {
    const uid = Number(manager[1])
    const unit = unitOfCgroup(manager[2] ?? '')
    // Directly in user@UID.service (no unit below it): the user's manager itself, a system unit.
    return unit === undefined ? { kind: 'unit', unit: `user@${uid}.service`, path } : { kind: 'user-unit', unit, uid, path }
  }
  const unit = unitOfCgroup(path)
  if (path === '/user.slice' || path.startsWith('/user.slice/')) return { kind: 'user', unit, path }
  return unit === undefined ? { kind: 'none', path } : { kind: 'unit', unit, path }
}

/** Where systemd puts a unit of this slice: `a-b.slice` → `/a.slice/a-b.slice`, `-.slice` → ``. */
export function sliceCgroupPath(slice: string): string | undefined {
  if (!slice.endsWith('.slice')) return undefined
  if (slice === '-.slice') return ''
  const parts = slice.slice(0, -'.slice'.length).split('-')
  return parts.map((_, i) => `/${parts.slice(0, i + 1).join('-')}.slice`).join('')
}

/** Whether a process cgroup path lies in a unit's ControlGroup (the unit's own or a sub-cgroup). */
export function inControlGroup(path: string, controlGroup: string): boolean {
  return controlGroup !== '' && (path === controlGroup || path.startsWith(`${controlGroup}/`))
}

