/**
 * The state store: one SQLite database in the state directory, and the only code that opens it.
 * Runs, frozen plans, cursors and host-cycles (the drift history) live here; the CLI, `watch`,
 * rollouts and the fleet page read and write it through the typed functions of this folder.
 * WAL lets readers (tend history, tend serve) look while a controller writes.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { MIGRATIONS } from './migrations.js'

export type Db = Database.Database

export const STORE_FILE = 'tend.db'

export class StateStore {
  private constructor(readonly dir: string, readonly db: Db) {}

  /** Opens (creating when needed) the store in `dir` and brings its schema up to date. */
  static open(dir: string, options: { readonly readonly?: boolean } = {}): StateStore {
    if (!options.readonly) mkdirSync(dir, { recursive: true, mode: 0o700 })
    const db = new Database(join(dir, STORE_FILE), { readonly: options.readonly === true, fileMustExist: options.readonly === true })
    db.pragma('busy_timeout = 5000')
    if (!options.readonly) {
      db.pragma('journal_mode = WAL')
      // A commit survives the controller being killed (SIGKILL) without an fsync per write: a run
      // writes its cursor as each host finishes, and at 1,000 hosts fsyncs would dominate.
      db.pragma('synchronous = NORMAL')
      migrate(db)
    }
    return new StateStore(dir, db)
  }

  close(): void {
    this.db.close()
  }
}

function migrate(db: Db): void {
  const version = Number(db.pragma('user_version', { simple: true }))
  if (version > MIGRATIONS.length) {
    throw new Error(`the state store was written by a newer tend (schema ${version}, this tend knows ${MIGRATIONS.length})`)
  }
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next]!)
      db.pragma(`user_version = ${next + 1}`)
    })()
  }
}
