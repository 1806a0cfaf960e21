import { shJoin, shQuote } from '../../transport/quote.js'

/** What one `paths` entry holds: nothing (missing), or its newest change. */
export type PathState =
  | { readonly path: string; readonly kind: 'missing' }
  | { readonly path: string; readonly kind: 'files'; readonly count: number; readonly newestMs: number; readonly newestFile: string }

export const DEFAULT_EXCLUDE = ['__pycache__', '*.pyc', '.git'] as const

/**
 * find's expression for one path: excluded names pruned (a glob with a `/` is matched against the
 * whole path), then every entry that is not a directory printed with its mtime and ctime.
 * Directories are left out on purpose: the app itself changes them when it writes __pycache__,
 * logs or sockets, which would make it look stale forever. ctime counts as well as mtime because
 * `rsync -a`, `tar x` and `cp -p` deploy files with their OLD mtimes; ctime cannot be set back.
 */
export function findArgv(path: string, exclude: readonly string[]): string[] {
  const prune = exclude.flatMap((glob, i) => [...(i > 0 ? ['-o'] : []), glob.includes('/') ? '-path' : '-name', glob])
  const pruned = prune.length === 0 ? [] : ['(', ...prune, ')', '-prune', '-o']
  return ['find', '-H', path, ...pruned, '!', '-type', 'd', '-printf', '%T@ %C@ %p\\n']
}

/**
 * The newest of each listing is taken ON THE HOST (awk keeps the winning timestamp as text, so no
 * precision is lost to awk's number format): a tree of 100,000 files ships one line, not 100,000.
 */
const NEWEST_AWK = `
$1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ {
  n++; t = ($2 + 0 > $1 + 0) ? $2 : $1
  if (best == "" || t + 0 > best + 0) { best = t; name = $0; sub(/^[^ ]* [^ ]* /, "", name) }
}
END { printf "@path %d %s %s\\n", n, (n ? best : 0), name }`

/** One sh script over every path, in order: `@missing` or `@path COUNT NEWEST FILE` each. */
export function pathsScript(paths: readonly string[], exclude: readonly string[]): string {
  return paths.map((path) => `if [ -e ${shQuote(path)} ]; then
  ${shJoin(findArgv(path, exclude))} 2>/dev/null | awk ${shQuote(NEWEST_AWK)}
else echo @missing; fi`).join('\n')
}

/** pathsScript output lines (in path order) → one state per path. */
export function parsePaths(paths: readonly string[], lines: readonly string[]): PathState[] | undefined {
  const answers = lines.filter((line) => line === '@missing' || line.startsWith('@path '))
  if (answers.length !== paths.length) return undefined
  return paths.map((path, i): PathState => {
    const line = answers[i] as string
    if (line === '@missing') return { path, kind: 'missing' }
    const match = /^@path (\d+) ([0-9.]+) ?(.*)$/.exec(line)
    const count = Number(match?.[1] ?? 0)
    return { path, kind: 'files', count, newestMs: Number(match?.[2] ?? 0) * 1000, newestFile: match?.[3] ?? '' }
  })
}
