/**
 * SQLite's errors that mean the state store's file is at fault, as StateStoreErrors naming it.
 * Apart from store.ts so the CLI's error report can use it without loading better-sqlite3
 * (`tend --version` and `tend validate` open no store).
 */
import { StateStoreError } from './errors.js'
import { moveAside } from './files.js'

/** The store file last opened by this process: where a corruption found mid-query is. */
let lastOpened: string | undefined

export function noteOpened(file: string): void {
  lastOpened = file
}

const CORRUPT = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_VTAB', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_INDEX'])

/**
 * A SQLite error that means the file is damaged (found on open or mid-query) as a StateStoreError
 * naming the file; anything else is not the file's fault (undefined).
 */
export function storeErrorOf(error: unknown, file: string | undefined = lastOpened): StateStoreError | undefined {
  if (error instanceof StateStoreError) return error
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code !== 'string' || file === undefined) return undefined
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code === 'SQLITE_READONLY' || code === 'EACCES') {
    return new StateStoreError(file, `cannot be opened for ${code === 'SQLITE_READONLY' ? 'writing' : 'reading'} by this user (${(error as Error).message})`,
      'run tend as the user that owns the state dir, or give another --state-dir')
  }
  if (!CORRUPT.has(code)) return undefined
  const what = code === 'SQLITE_NOTADB' ? 'is not a SQLite database (garbage, or another kind of file)' : `is damaged (${(error as Error).message})`
  return new StateStoreError(file, what, moveAside(file))
}
