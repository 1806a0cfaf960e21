/**
 * Ansible's `stat`: what a path is, read in one command, registered under `stat` with Ansible's
 * keys and types (mode "0644", isreg, pw_name, checksum, mimetype, attributes…). It changes
 * nothing: a module without apply, always ok, also under --check.
 */
import type { FromSchema } from 'json-schema-to-ts'
import { ProbeError } from '../errors.js'
import type { Module } from './types.js'

const CHECKSUMS = ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const

const statSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    path: { type: 'string', minLength: 1, description: 'The path to look at (Ansible\'s aliases `dest`, `name`).' },
    follow: { type: 'boolean', default: false, description: 'Follow a symlink: describe its target, not the link.' },
    get_checksum: { type: 'boolean', default: true, description: 'Add `checksum` of a readable regular file.' },
    checksum_algorithm: { enum: CHECKSUMS, default: 'sha1', description: 'The checksum\'s algorithm (aliases `checksum`, `checksum_algo`).' },
    get_md5: { type: 'boolean', default: false, description: 'Add `md5` of a readable regular file.' },
    get_mime: { type: 'boolean', default: true, description: 'Add `mimetype` and `charset` (from file(1); "unknown" without it).' },
    get_attributes: { type: 'boolean', default: true, description: 'Add `attributes`, `attr_flags` and `version` (from lsattr).' },
  },
} as const

export type StatSpec = FromSchema<typeof statSchema, { keepDefaultedPropertiesOptional: true }>

/** Ansible's names of lsattr's letters (module_utils FILE_ATTRIBUTES). */
const FILE_ATTRIBUTES: Readonly<Record<string, string>> = {
  A: 'noatime', a: 'append', c: 'compressed', C: 'nocow', d: 'nodump', D: 'dirsync', e: 'extents', E: 'encrypted',
  h: 'blocksize', i: 'immutable', I: 'indexed', j: 'journalled', N: 'inline', s: 'zero', S: 'synchronous',
  t: 'notail', T: 'blockroot', u: 'undelete', X: 'compressedraw', Z: 'compresseddirty',
}

// POSIX sh; the path and the options arrive as positional parameters, never in the script's text.
// Each answer is `key=value` ended by a NUL, so a value may hold any character but NUL.
const SCRIPT = `p=$1 follow=$2 algo=$3 md5=$4 mime=$5 attrs=$6
export LC_ALL=C
if [ -n "$follow" ]; then set -- -L; else set --; fi
out() { printf '%s=%s\\0' "$1" "$2"; }
if ! st=$(stat "$@" --printf '%f %u %g %s %i %d %h %.9X %.9Y %.9Z %b %o %r' -- "$p" 2>&1); then
  case $st in *"No such file or directory"*) out exists no ;; *) out error "$st" ;; esac
  exit 0
fi
out raw "$st"
out pw_name "$(stat "$@" -c %U -- "$p")"
out gr_name "$(stat "$@" -c %G -- "$p")"
[ -r "$p" ] && out readable 1
[ -w "$p" ] && out writeable 1
[ -x "$p" ] && out executable 1
if [ -z "$follow" ] && [ -L "$p" ]; then out lnk_target "$(readlink -- "$p")"; out lnk_source "$(readlink -f -- "$p")"; fi
case $(stat "$@" -c %F -- "$p") in
  "regular file"|"regular empty file")
    if [ -r "$p" ]; then
      [ -n "$algo" ] && { s=$("\${algo}sum" -- "$p") && s=\${s#\\\\} && out checksum "\${s%% *}"; }
      [ -n "$md5" ] && { s=$(md5sum -- "$p") && s=\${s#\\\\} && out md5 "\${s%% *}"; }
    fi ;;
esac
if [ -n "$mime" ] && command -v file >/dev/null 2>&1; then m=$(file --mime-type --mime-encoding -- "$p" 2>/dev/null) && out mime "$m"; fi
if [ -n "$attrs" ] && command -v lsattr >/dev/null 2>&1; then a=$(lsattr -vd -- "$p" 2>/dev/null) && out lsattr "$a"; fi
exit 0`

export function statArgv(spec: StatSpec): readonly string[] {
  const algo = spec.get_checksum === false ? '' : spec.checksum_algorithm ?? 'sha1'
  const flag = (on: boolean) => (on ? '1' : '')
  return ['sh', '-c', SCRIPT, 'sh', spec.path, flag(spec.follow === true), algo, flag(spec.get_md5 === true),
    flag(spec.get_mime !== false), flag(spec.get_attributes !== false)]
}

export interface StatObserved {
  readonly stat: Readonly<Record<string, unknown>>
}

function answersOf(stdout: string): Map<string, string> {
  const answers = new Map<string, string>()
  for (const record of stdout.split('\0')) {
    const eq = record.indexOf('=')
    if (eq > 0) answers.set(record.slice(0, eq), record.slice(eq + 1))
  }
  return answers
}

/** The mode and file type as Ansible reports them, from stat's raw hex st_mode. */
function modeFields(rawMode: number) {
  const type = rawMode & 0o170000
  return {
    mode: (rawMode & 0o7777).toString(8).padStart(4, '0'),
    isdir: type === 0o040000, ischr: type === 0o020000, isblk: type === 0o060000, isreg: type === 0o100000,
    isfifo: type === 0o010000, islnk: type === 0o120000, issock: type === 0o140000,
  }
}

/** Pure: the `stat` dict from the script's answers (tested on captured output). */
export function parseStat(path: string, stdout: string, spec: StatSpec): Readonly<Record<string, unknown>> {
  const answers = answersOf(stdout)
  const error = answers.get('error')
  if (error !== undefined) throw new ProbeError(`stat ${path}: ${error.trim()}`)
  if (answers.get('exists') === 'no') return { exists: false }
  const raw = (answers.get('raw') ?? '').split(' ')
  if (raw.length < 13) throw new ProbeError(`stat ${path}: unexpected answer ${JSON.stringify(stdout.slice(0, 200))}`)
  const [modeHex, uid, gid, size, inode, dev, nlink, atime, mtime, ctime, blocks, blockSize, rdev] = raw as [string, ...string[]]
  const st = Number.parseInt(modeHex, 16)
  const bit = (b: number) => (st & b) !== 0
  const out: Record<string, unknown> = {
    exists: true, path, ...modeFields(st),
    uid: Number(uid), gid: Number(gid), size: Number(size), inode: Number(inode), dev: Number(dev), nlink: Number(nlink),
    atime: Number(atime), mtime: Number(mtime), ctime: Number(ctime),
    wusr: bit(0o200), rusr: bit(0o400), xusr: bit(0o100), wgrp: bit(0o020), rgrp: bit(0o040), xgrp: bit(0o010),
    woth: bit(0o002), roth: bit(0o004), xoth: bit(0o001), isuid: bit(0o4000), isgid: bit(0o2000),
    blocks: Number(blocks), block_size: Number(blockSize), device_type: Number(rdev),
    readable: answers.has('readable'), writeable: answers.has('writeable'), executable: answers.has('executable'),
  }
  for (const key of ['lnk_source', 'lnk_target', 'checksum', 'md5'] as const) {
    const value = answers.get(key)
    if (value !== undefined) out[key] = value
  }
  for (const key of ['pw_name', 'gr_name'] as const) {
    const name = answers.get(key)
    if (name !== undefined && name !== 'UNKNOWN') out[key] = name
  }
  if (spec.get_mime !== false) Object.assign(out, mimeOf(answers.get('mime')))
  if (spec.get_attributes !== false) Object.assign(out, attributesOf(answers.get('lsattr')))
  return out
}

/** `PATH: text/plain; charset=us-ascii` → mimetype, charset (Ansible splits at the last colon). */
function mimeOf(line: string | undefined) {
  const unknown = { mimetype: 'unknown', charset: 'unknown' }
  if (line === undefined) return unknown
  const [type, charset] = line.slice(line.lastIndexOf(':') + 1).split(';')
  const encoding = charset?.split('=')[1]
  return type === undefined || encoding === undefined ? unknown : { mimetype: type.trim(), charset: encoding.trim() }
}

/** `VERSION FLAGS PATH` from lsattr -vd; without an answer Ansible's defaults. */
function attributesOf(line: string | undefined) {
  const [version, flags] = (line ?? '').trim().split(/\s+/)
  if (line === undefined || version === undefined || flags === undefined) return { version: null, attributes: [], attr_flags: '' }
  const letters = flags.replace(/-/g, '')
  return { version, attributes: [...letters].filter((l) => l in FILE_ATTRIBUTES).map((l) => FILE_ATTRIBUTES[l]), attr_flags: letters }
}

export const stat: Module<StatSpec, StatObserved> = {
  kind: 'stat',
  schema: statSchema,
  description: 'Reads what a path is (Ansible\'s stat): registered as `stat` with Ansible\'s keys (exists, mode, isdir, isreg, islnk, uid, pw_name, size, mtime, checksum, mimetype…). Changes nothing.',
  async probe(ctx, spec) {
    const result = await ctx.run(statArgv(spec))
    if (result.exitCode !== 0) throw new ProbeError(`stat ${spec.path}: exit ${result.exitCode}: ${result.stderr.trim()}`)
    return { stat: parseStat(spec.path, result.stdout, spec) }
  },
  probeAhead: (_ctx, spec) => ({ commands: [statArgv(spec)] }),
  diff: () => [],
  facts: (observed) => ({ stat: observed.stat }),
}
