import type { ModuleContext } from '../types.js'
import { ProbeError } from '../../errors.js'

/** A regular file as the host sees it. Content is read only when the spec manages it. */
export type FileObserved =
  | { readonly exists: false }
  | {
      readonly exists: true
      /** Four octal digits, e.g. "0644". */
      readonly mode: string
      readonly uid: string
      readonly owner: string
      readonly gid: string
      readonly group: string
      readonly content?: Buffer
    }

/**
 * One read-only round trip. The path travels as a positional parameter ($1), never inside the
 * script text. Content comes back as base64 so any bytes survive a text channel.
 */
const PROBE_SCRIPT = `p=$1
if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo absent; exit 0; fi
t=$(stat -c %F -- "$p") || exit 3
case $t in "regular file"|"regular empty file") ;; *) printf 'other %s\\n' "$t"; exit 0;; esac
stat -c 'present %a %u %U %g %G' -- "$p" || exit 3
[ "$2" = with-content ] || exit 0
base64 < "$p" || exit 3`

/** "644", "4755" → "0644", "4755": one spelling so spec and host compare as text. */
export function normalizeMode(mode: string): string {
  return parseInt(mode, 8).toString(8).padStart(4, '0')
}

export function probeFileArgv(path: string, withContent: boolean): readonly string[] {
  return ['sh', '-c', PROBE_SCRIPT, 'tend-probe', path, withContent ? 'with-content' : 'attributes']
}

export async function probeFile(ctx: ModuleContext, path: string, withContent: boolean): Promise<FileObserved> {
  const result = await ctx.run(probeFileArgv(path, withContent))
  if (result.exitCode !== 0) {
    throw new ProbeError(`cannot read ${path}: ${result.stderr.trim() || `exit ${result.exitCode}`}`,
      'check that the path is readable by the task user (become: root?)')
  }
  const [head = '', ...rest] = result.stdout.split('\n')
  if (head === 'absent') return { exists: false }
  const words = head.split(' ')
  if (words[0] === 'other') {
    throw new ProbeError(`${path} is a ${words.slice(1).join(' ')}, not a regular file`,
      'file and template manage regular files only; remove or rename what is there')
  }
  const [, mode, uid, owner, gid, group] = words
  if (words[0] !== 'present' || mode === undefined || group === undefined || uid === undefined
    || owner === undefined || gid === undefined) {
    throw new ProbeError(`unexpected output probing ${path}: ${head}`)
  }
  const content = withContent ? Buffer.from(rest.join(''), 'base64') : undefined
  return { exists: true, mode: normalizeMode(mode), uid, owner, gid, group, content }
}
