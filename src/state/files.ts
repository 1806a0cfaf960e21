/**
 * The state dir's files on disk: every directory 0700 and every file 0600, whoever created them
 * (an operator's `mkdir`, systemd's StateDirectory=, an older tend that wrote 0644), tightened
 * each time a store is opened; and no symlink among them.
 *
 * Symlinked state files are refused, not followed or replaced. Following one would let whoever
 * planted it (another local user, a stale deploy script) point tend's writes, and tend's chmod to
 * 0600, at any file the operator can write, such as /etc/sudoers when tend runs as root. Replacing
 * it silently would lose the history it may point to on purpose. So tend stops and says which
 * link, and the operator moves it aside or puts the real file there. The state dir itself may be
 * a symlink (a dir on another disk is a common setup): it is the operator's choice, named by them.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, readdirSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { StateStoreError } from './errors.js'

export const FILE_MODE = 0o600
export const DIR_MODE = 0o700

const moveAside = (path: string) => `move it aside (mv ${path} ${path}.bad); tend then starts a new one there`

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** chmod where tend may; a reader that does not own the files (tend serve as another user) leaves them. */
function tighten(path: string, stats: Stats, mode: number): void {
  if ((stats.mode & 0o777) === mode) return
  try {
    chmodSync(path, mode)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'EPERM' && code !== 'EROFS' && code !== 'EACCES') throw error
  }
}

/** Refuses a symlink inside the state dir, naming it and the way out. */
export function refuseSymlink(path: string, stats: Stats | undefined): void {
  if (stats?.isSymbolicLink() !== true) return
  throw new StateStoreError(path, 'is a symbolic link; tend does not follow links inside its state dir (a link could point its writes at any file)',
    `${moveAside(path)}, or put the real file at this path`)
}

/**
 * Creates the state dir (0700) when asked, then walks it: symlinks refused, modes tightened.
 * Returns false when the dir does not exist (and was not to be created).
 */
export function secureStateDir(dir: string, create: boolean): boolean {
  if (create) mkdirSync(dir, { recursive: true, mode: DIR_MODE })
  let top: Stats
  try {
    top = lstatSync(dir)
  } catch {
    return false
  }
  tighten(dir, top, DIR_MODE)
  walk(dir)
  return true
}

function walk(dir: string): void {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    const stats = lstatOrUndefined(path)
    if (stats === undefined) continue // gone meanwhile (a -shm file another tend removed)
    refuseSymlink(path, stats)
    if (stats.isDirectory()) {
      tighten(path, stats, DIR_MODE)
      walk(path)
    } else {
      tighten(path, stats, FILE_MODE)
    }
  }
}

/**
 * Makes sure `path` exists as a plain file of mode 0600 before a library creates it with the
 * umask's mode (SQLite gives its -wal and -shm files the database file's mode, so they follow).
 */
export function createPrivateFile(path: string): void {
  refuseSymlink(path, lstatOrUndefined(path))
  try {
    closeSync(openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, FILE_MODE))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}

export { moveAside }
