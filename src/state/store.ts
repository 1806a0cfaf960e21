/**
 * The state store: one SQLite database in the state directory, and the only code that opens it.
 * Runs, frozen plans, cursors and host-cycles (the drift history) live here; the CLI, `watch`,
 * rollouts and the fleet page read and write it through the typed functions of this folder.
 * WAL lets readers (tend history, tend serve) look while a controller writes.
 *
 * Opening checks what is there before trusting it (files.ts: modes and symlinks; here: the file is
 * a SQLite database, whole, and tend's own), so a damaged or foreign file is a StateStoreError
 * naming it, never a stack trace or a foreign database with tend's tables added to it.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { StateStoreError } from './errors.js'
import { noteOpened, storeErrorOf } from './store-error.js'
import { createPrivateFile, moveAside, secureStateDir } from './files.js'
import { MIGRATIONS } from './migrations.js'
import { digestKey, valueDigest } from './secrets.js'
import { Withheld } from './withheld.js'

export type Db = Database.Database

export const STORE_FILE = 'tend.db'
/** The tables every schema version has: a database without them is not tend's. */
const TABLES = ['runs', 'run_hosts', 'host_cycles']
const MAGIC = 'SQLite format 3\u0000'


export class StateStore {
  private key: Buffer | undefined
  /** What this store's records never hold in clear (a run's -e values): withheld.ts. */
  readonly withheld = new Withheld()
  private constructor(readonly dir: string, readonly db: Db) {}

  /** A keyed digest of a variable's value (secrets.ts): what the store keeps instead of the value. */
  digest(name: string, value: unknown): string {
    this.key ??= digestKey(this.dir)
    return valueDigest(this.key, name, value)
  }

  /** Opens (creating when needed) the store in `dir` and brings its schema up to date. */
  static open(dir: string, options: { readonly readonly?: boolean } = {}): StateStore {
    const writable = options.readonly !== true
    const file = join(dir, STORE_FILE)
    noteOpened(file)
    try {
      secureStateDir(dir, writable)
      if (writable) createPrivateFile(file)
      checkHeader(file)
    } catch (error) {
      throw storeErrorOf(error, file) ?? error
    }
    let db: Db | undefined
    try {
      db = new Database(file, { readonly: !writable, fileMustExist: !writable })
      db.pragma('busy_timeout = 5000')
      if (writable) {
        db.pragma('journal_mode = WAL')
        // A commit survives the controller being killed (SIGKILL) without an fsync per write: a run
        // writes its cursor as each host finishes, and at 1,000 hosts fsyncs would dominate.
        db.pragma('synchronous = NORMAL')
        // Deleted and overwritten content is zeroed, not left in free pages: a pruned cycle or a
        // replaced plan leaves no readable copy in the file.
        db.pragma('secure_delete = ON')
      }
      checkSchema(db, file, writable)
      if (writable) migrate(db, file)
    } catch (error) {
      db?.close()
      throw storeErrorOf(error, file) ?? error
    }
    // The -wal and -shm files exist now: tighten them too (SQLite copies the db's mode; an old
    // store's 0644 files would otherwise stay so).
    secureStateDir(dir, false)
    return new StateStore(dir, db)
  }

  /**
   * Copies the WAL into the database and empties it: after something was removed for being
   * secret (an older plan's -e values), no earlier page image of it stays in tend.db-wal.
   */
  scrub(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)')
  }

  close(): void {
    this.db.close()
  }
}

/** Cheap checks before SQLite reads the file: its magic, and that it is as long as it says. */
function checkHeader(file: string): void {
  let size: number
  try {
    size = statSync(file).size
  } catch {
    return // missing: a reader's caller decides (there is nothing recorded yet)
  }
  if (size === 0) return // created just now, or touched: SQLite makes a new database of it
  const header = Buffer.alloc(100)
  const fd = openSync(file, 'r')
  let read: number
  try {
    read = readSync(fd, header, 0, 100, 0)
  } finally {
    closeSync(fd)
  }
  if (read < 100 || header.toString('latin1', 0, 16) !== MAGIC) {
    throw new StateStoreError(file, 'is not a SQLite database (garbage, or another kind of file)', moveAside(file))
  }
  const pageSize = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16)
  const pages = header.readUInt32BE(28)
  // The in-header size is valid when its change counter matches (SQLite's own rule).
  const valid = header.readUInt32BE(24) === header.readUInt32BE(92)
  if (valid && pages > 0 && size < pages * pageSize) {
    throw new StateStoreError(file, `is truncated (${size} bytes; its header says ${pages * pageSize})`, moveAside(file))
  }
}

function checkSchema(db: Db, file: string, writable: boolean): void {
  const version = Number(db.pragma('user_version', { simple: true }))
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name))
  if (version > MIGRATIONS.length) {
    throw new StateStoreError(file, `was written by a newer tend (schema version ${version}; this tend knows up to ${MIGRATIONS.length})`,
      `use that newer tend, or ${moveAside(file)}`)
  }
  if (version === 0 && tables.size === 0) {
    if (writable) return // new: the migrations create it
    throw new StateStoreError(file, 'is empty (nothing was recorded in it)', 'tend run and tend watch record there')
  }
  const missing = TABLES.filter((t) => !tables.has(t))
  if (version === 0 || missing.length > 0) {
    throw new StateStoreError(file, `is a SQLite database, but not tend's (${missing.length > 0 ? `no table ${missing.join(', ')}` : 'no tend schema version'})`, moveAside(file))
  }
}

function migrate(db: Db, file: string): void {
  const version = Number(db.pragma('user_version', { simple: true }))
  for (let next = version; next < MIGRATIONS.length; next++) {
    try {
      db.transaction(() => {
        db.exec(MIGRATIONS[next]!)
        db.pragma(`user_version = ${next + 1}`)
      })()
    } catch (error) {
      throw storeErrorOf(error, file) ?? new StateStoreError(file, `cannot be brought to schema version ${next + 1}: ${(error as Error).message}`, moveAside(file))
    }
  }
}

