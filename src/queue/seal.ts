/**
 * `-e` values on their way through Redis: sealed (AES-256-GCM) under a key derived from the queue
 * URL's password, which the controller and its workers both hold and Redis never stores. An RDB
 * dump, a MONITOR session or a `redis-cli --scan` of the job keys shows ciphertext only.
 *
 * The nonce is an HMAC of the plaintext (a synthetic IV): sealing the same values gives the same
 * text, so a watch's configuration job stays idempotent by content (its id is a hash of its data),
 * and a nonce is never reused for two different plaintexts. Without a password in the URL the key
 * is public, and so is Redis to whoever reaches it: the README says so.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto'
import type { Vars } from '../playbook/model.js'
import type { RedisEndpoint } from './url.js'

export type SealKey = Buffer

export function sealKeyOf(endpoint: Pick<RedisEndpoint, 'username' | 'password'>): SealKey {
  return Buffer.from(hkdfSync('sha256', endpoint.password ?? '', 'tend-queue', 'extra vars', 32))
}

export function sealVars(vars: Vars, key: SealKey): string {
  const plain = Buffer.from(JSON.stringify(vars))
  const iv = createHmac('sha256', key).update(plain).digest().subarray(0, 12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()])
  return `v1:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}`
}

/** Throws when the key differs (a worker given another password than its controller). */
export function openVars(text: string, key: SealKey): Vars {
  const raw = Buffer.from(text.replace(/^v1:/, ''), 'base64')
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12))
  decipher.setAuthTag(raw.subarray(12, 28))
  try {
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as Vars
  } catch {
    throw new Error('cannot open the run\'s -e values: this worker\'s queue URL has another password than the controller\'s (the key is derived from it)')
  }
}
