/**
 * What the state store keeps instead of a secret: a keyed digest. `-e` values are compared, never
 * stored: each is an HMAC-SHA256 under a key of this state dir (`digest.key`, 32 random bytes,
 * 0600, made on first use). A plain hash would not do: `-e` values are often short or guessable
 * (a port, a release, a password from a list), and a sha256 of one is found by trying candidates.
 * Without the key file, the digests in tend.db say nothing; `tend resume` uses them to check that
 * it was given the same values again.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { closeSync, constants, lstatSync, openSync, readFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { StateStoreError } from './errors.js'
import { FILE_MODE, moveAside, refuseSymlink } from './files.js'

export const KEY_FILE = 'digest.key'
const KEY_BYTES = 32

function readKey(path: string): Buffer | undefined {
  try {
    refuseSymlink(path, lstatSync(path))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const key = readFileSync(path)
  if (key.length !== KEY_BYTES) throw new StateStoreError(path, `is not a digest key (${key.length} bytes, not ${KEY_BYTES})`, moveAside(path))
  return key
}

/** The state dir's digest key, made (0600, exclusively: two tends starting at once agree) when missing. */
export function digestKey(dir: string): Buffer {
  const path = join(dir, KEY_FILE)
  const existing = readKey(path)
  if (existing !== undefined) return existing
  const key = randomBytes(KEY_BYTES)
  let fd: number
  try {
    fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, FILE_MODE)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKey(path) ?? key
    throw error
  }
  try {
    writeSync(fd, key)
  } finally {
    closeSync(fd)
  }
  return key
}

/** The digest of one variable's value: its name is part of it, so equal values of two names differ. */
export function valueDigest(key: Buffer, name: string, value: unknown): string {
  return `hmac-sha256:${createHmac('sha256', key).update(name).update('\u0000').update(JSON.stringify(value) ?? 'undefined').digest('hex')}`
}
