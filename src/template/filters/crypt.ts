/**
 * crypt(3) password hashes as libxcrypt computes them, which is what Ansible's password_hash
 * returns when passlib is absent: SHA-512 (`$6$`), SHA-256 (`$5$`) after Drepper's spec, and the
 * old MD5 (`$1$`). Pure computation over node:crypto digests; nothing here reads a file.
 */
import { createHash } from 'node:crypto'

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function to64(value: number, n: number): string {
  let out = ''
  for (let i = 0; i < n; i++) {
    out += ITOA64[value & 0x3f]
    value >>>= 6
  }
  return out
}

/** `source` repeated to exactly `length` bytes. */
function stretch(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length)
  for (let i = 0; i < length; i += source.length) source.copy(out, i, 0, Math.min(source.length, length - i))
  return out
}

const SHA512_ORDER = [
  [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48], [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10],
  [53, 11, 32], [12, 33, 54], [34, 55, 13], [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
] as const
const SHA256_ORDER = [[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]] as const

/**
 * `$5$`/`$6$` crypt of `password` with a salt string `[rounds=N$]salt`. libxcrypt refuses a
 * rounds count outside 1000..999999999 (or with a leading zero) and then returns `*0`.
 */
export function shaCrypt(algorithm: 'sha256' | 'sha512', password: string, setting: string): string {
  const id = algorithm === 'sha512' ? '6' : '5'
  let rest = setting
  let rounds = 5000
  let custom = false
  const m = /^rounds=([^$]*)\$/.exec(rest)
  if (rest.startsWith('rounds=')) {
    if (!m || !/^[1-9]\d*$/.test(m[1]!) || Number(m[1]) < 1000 || Number(m[1]) > 999_999_999) return '*0'
    rounds = Number(m[1])
    custom = true
    rest = rest.slice(m[0].length)
  }
  const saltText = rest.split('$')[0]!.slice(0, 16)
  const P = Buffer.from(password, 'utf8')
  const S = Buffer.from(saltText, 'utf8')
  const size = algorithm === 'sha512' ? 64 : 32
  const digest = (...parts: Buffer[]): Buffer => {
    const h = createHash(algorithm)
    for (const p of parts) h.update(p)
    return h.digest()
  }
  const B = digest(P, S, P)
  const a = createHash(algorithm).update(P).update(S).update(stretch(B, P.length))
  for (let n = P.length; n > 0; n >>= 1) a.update(n & 1 ? B : P)
  const A = a.digest()
  const dp = createHash(algorithm)
  for (let i = 0; i < P.length; i++) dp.update(P)
  const Pp = stretch(dp.digest(), P.length)
  const ds = createHash(algorithm)
  for (let i = 0; i < 16 + A[0]!; i++) ds.update(S)
  const Sp = stretch(ds.digest(), S.length)
  let C = A
  for (let i = 0; i < rounds; i++) {
    const h = createHash(algorithm)
    h.update(i & 1 ? Pp : C)
    if (i % 3) h.update(Sp)
    if (i % 7) h.update(Pp)
    h.update(i & 1 ? C : Pp)
    C = h.digest()
  }
  let encoded = ''
  if (size === 64) {
    for (const [x, y, z] of SHA512_ORDER) encoded += to64((C[x]! << 16) | (C[y]! << 8) | C[z]!, 4)
    encoded += to64(C[63]!, 2)
  } else {
    for (const [x, y, z] of SHA256_ORDER) encoded += to64((C[x]! << 16) | (C[y]! << 8) | C[z]!, 4)
    encoded += to64((C[31]! << 8) | C[30]!, 3)
  }
  return `$${id}$${custom ? `rounds=${rounds}$` : ''}${saltText}$${encoded}`
}

/** The `$1$` MD5 crypt (salt: up to 8 characters before a `$`). */
export function md5Crypt(password: string, setting: string): string {
  const magic = Buffer.from('$1$')
  const saltText = setting.split('$')[0]!.slice(0, 8)
  const P = Buffer.from(password, 'utf8')
  const S = Buffer.from(saltText, 'utf8')
  const alt = createHash('md5').update(P).update(S).update(P).digest()
  const ctx = createHash('md5').update(P).update(magic).update(S)
  for (let n = P.length; n > 0; n -= 16) ctx.update(alt.subarray(0, Math.min(n, 16)))
  for (let n = P.length; n; n >>= 1) ctx.update(n & 1 ? Buffer.from([0]) : P.subarray(0, 1))
  let f = ctx.digest()
  for (let i = 0; i < 1000; i++) {
    const h = createHash('md5')
    h.update(i & 1 ? P : f)
    if (i % 3) h.update(S)
    if (i % 7) h.update(P)
    h.update(i & 1 ? f : P)
    f = h.digest()
  }
  let encoded = ''
  for (const [x, y, z] of [[0, 6, 12], [1, 7, 13], [2, 8, 14], [3, 9, 15], [4, 10, 5]] as const) encoded += to64((f[x]! << 16) | (f[y]! << 8) | f[z]!, 4)
  encoded += to64(f[11]!, 2)
  return `$1$${saltText}$${encoded}`
}
