/**
 * A file's `mode` as Ansible takes it: an integer (the bits: YAML 1.1 reads `0644` as 420), an
 * octal string ("0644", "644", "0o644"), or a symbolic mode ("u=rw,g=r,o=r", "u+x", "a-w") applied
 * to the file's current mode as chmod(1) and Ansible's _symbolic_mode_to_octal apply it.
 */

/** One symbolic clause: users (required here: an empty one would depend on the host's umask), then operations. */
const CLAUSE = '[ugoa]+(?:[-+=](?:[rwxXst]*|[ugo]))+'
export const SYMBOLIC_MODE = new RegExp(`^${CLAUSE}(?:,${CLAUSE})*$`)
const OCTAL_MODE = /^(?:0o)?[0-7]{1,4}$/

export const isSymbolicMode = (mode: string): boolean => SYMBOLIC_MODE.test(mode)

/** The mode as tend writes it: four octal digits, or the symbolic text; undefined when it is neither. */
export function modeText(mode: string | number): string | undefined {
  if (typeof mode === 'number') return Number.isInteger(mode) && mode >= 0 && mode <= 0o7777 ? mode.toString(8).padStart(4, '0') : undefined
  if (OCTAL_MODE.test(mode)) return parseInt(mode.replace(/^0o/, ''), 8).toString(8).padStart(4, '0')
  return isSymbolicMode(mode) ? mode : undefined
}

const WHO: Readonly<Record<string, { readonly shift: number; readonly special: number; readonly mask: number }>> = {
  u: { shift: 6, special: 0o4000, mask: 0o4700 },
  g: { shift: 3, special: 0o2000, mask: 0o2070 },
  o: { shift: 0, special: 0o1000, mask: 0o1007 },
}

/** The bits `perms` stand for, for one user class, read against the current mode. */
function permBits(user: string, perms: string, current: number, isDirectory: boolean): number {
  const { shift } = WHO[user]!
  const copy = (from: string) => ((current >> WHO[from]!.shift) & 7) << shift
  if (perms === 'u' || perms === 'g' || perms === 'o') return copy(perms)
  let bits = 0
  for (const p of perms) {
    if (p === 'r') bits |= 4 << shift
    else if (p === 'w') bits |= 2 << shift
    else if (p === 'x') bits |= 1 << shift
    else if (p === 'X' && (isDirectory || (current & 0o111) !== 0)) bits |= 1 << shift
    else if (p === 's' && user !== 'o') bits |= WHO[user]!.special
    else if (p === 't' && user === 'o') bits |= 0o1000
  }
  return bits
}

/** A symbolic mode applied to `current` (its permission bits); the result's bits. */
export function applySymbolicMode(symbolic: string, current: number, isDirectory = false): number {
  // As Ansible: `X` and `g=u` read the mode the file had before, not the one being built.
  const before = current & 0o7777
  let mode = before
  for (const clause of symbolic.split(',')) {
    const [, who = '', ops = ''] = /^([ugoa]+)(.*)$/.exec(clause) ?? []
    const users = who.includes('a') ? 'ugo' : who
    for (const [, op, perms = ''] of ops.matchAll(/([-+=])([^-+=]*)/g)) {
      for (const user of users) {
        const bits = permBits(user, perms, before, isDirectory)
        if (op === '=') mode = (mode & ~WHO[user]!.mask) | bits
        else if (op === '+') mode |= bits
        else mode &= ~bits
      }
    }
  }
  return mode
}

/** The octal mode a file with `observed` (four octal digits) gets from `mode` (modeText's form). */
export function targetMode(mode: string, observed: string): string {
  if (!isSymbolicMode(mode)) return mode
  return applySymbolicMode(mode, parseInt(observed, 8)).toString(8).padStart(4, '0')
}
