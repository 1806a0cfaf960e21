/**
 * A state store tend cannot use: garbage, truncated, another program's SQLite database, a newer
 * schema, a symlink. It names the file, what is wrong, and how to recover; the CLI prints it
 * without a stack and exits 5 (invalid input: nothing was contacted).
 */
export class StateStoreError extends Error {
  constructor(readonly file: string, readonly problem: string, readonly hint: string) {
    super(`${file}: ${problem}`)
    this.name = 'StateStoreError'
  }
}
