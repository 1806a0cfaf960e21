import type { ApplyResult, ModuleContext } from '../types.js'
import type { FileChange } from './file-changes.js'

/**
 * Atomic replace: the new bytes arrive on stdin into a temp file in the target's own directory
 * (same filesystem, so `mv` is a rename), which gets its final mode and owner before it is renamed
 * over the path. Every value is a positional parameter; none is ever part of the script text.
 * Without a mode, a new file gets 0666 minus the umask, as any program creating it would; a
 * symbolic mode (`u=rw,g=r`) is applied to that, as Ansible applies it to the file it created.
 */
const WRITE_SCRIPT = `set -eu
path=$1 mode=$2 owner=$3 group=$4
tmp=$(mktemp "\${path%/*}/.tend-XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat > "$tmp"
u=$(umask); created=$(printf %o $(( 0666 & ~$u )))
case $mode in
'') chmod -- "$created" "$tmp" ;;
*[!0-7]*) chmod -- "$created" "$tmp"; chmod -- "$mode" "$tmp" ;;
*) chmod -- "$mode" "$tmp" ;;
esac
if [ -n "$owner" ] && [ -n "$group" ]; then chown -- "$owner:$group" "$tmp"
elif [ -n "$owner" ]; then chown -- "$owner" "$tmp"
elif [ -n "$group" ]; then chgrp -- "$group" "$tmp"; fi
mv -f -- "$tmp" "$path"
trap - EXIT`

function argvFor(change: FileChange): readonly string[] {
  switch (change.action) {
    case 'create':
    case 'write':
      return ['sh', '-c', WRITE_SCRIPT, 'tend-write', change.path, change.mode ?? '', change.owner ?? '', change.group ?? '']
    case 'chmod':
      return ['chmod', '--', change.mode, change.path]
    case 'chown':
      return change.owner === undefined
        ? ['chgrp', '--', change.group ?? '', change.path]
        : ['chown', '--', change.group === undefined ? change.owner : `${change.owner}:${change.group}`, change.path]
    case 'remove':
      return ['rm', '-f', '--', change.path]
  }
}

/** Performs one planned file change; a command that fails is reported, not thrown. */
export async function applyFileChange(ctx: ModuleContext, change: FileChange): Promise<ApplyResult> {
  const stdin = change.action === 'create' || change.action === 'write' ? Buffer.from(change.content, 'utf8') : undefined
  const result = await ctx.run(argvFor(change), { stdin })
  if (result.exitCode === 0) return {}
  return { failed: `${change.summary} failed (exit ${result.exitCode}): ${result.stderr.trim()}` }
}
