/**
 * Inventory names are data, and they become file names: host_vars/NAME and group_vars/NAME. A host
 * a dynamic inventory calls `../../../etc/x` made tend read that file as host vars (issue 20). A
 * name holding `/`, `..` or NUL is refused where it is written, and never joined into a path.
 */
export function unsafeName(name: string): string | undefined {
  if (name.includes('\0')) return 'holds a NUL byte'
  if (name.includes('/')) return 'holds `/`'
  if (name.includes('..')) return 'holds `..`'
  return undefined
}

export const UNSAFE_NAME_HINT =
  'Host and group names become file names (host_vars/NAME, group_vars/NAME): `/`, `..` and NUL are refused. Name the host plainly and give its address in `ansible_host`.'

/** A name as a message can quote it: NUL and other control characters escaped, long ones cut. */
export function quotedName(name: string): string {
  const shown = JSON.stringify(name.length > 120 ? `${name.slice(0, 119)}…` : name)
  return `\`${shown.slice(1, -1)}\``
}
