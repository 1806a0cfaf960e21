/**
 * Python's `random.Random(seed)`: the Mersenne Twister (MT19937) seeded exactly as CPython 3.11
 * seeds it (an int's 32-bit words; a str's bytes followed by their SHA-512), with `getrandbits`,
 * `_randbelow`, `randrange`, `choice` and `shuffle` as CPython draws them, so
 * `random(seed=inventory_hostname)` and `shuffle(seed=...)` give Ansible's very results.
 * Without a seed the draw comes from the operating system, as SystemRandom's does.
 */
import { createHash, randomInt } from 'node:crypto'
import { TemplateError } from '../errors.js'
import { PyFloat } from '../values.js'

const N = 624
const M = 397

export class PyRandom {
  private readonly mt = new Uint32Array(N)
  private index = N + 1

  constructor(seed: unknown) {
    this.initByArray(seedKey(seed))
  }

  private initGenrand(s: number): void {
    const mt = this.mt
    mt[0] = s >>> 0
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0
    }
    this.index = N
  }

  private initByArray(key: readonly number[]): void {
    const mt = this.mt
    this.initGenrand(19650218)
    let i = 1
    let j = 0
    for (let k = Math.max(N, key.length); k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1664525)) + key[j]! + j) >>> 0
      i++
      j++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
      if (j >= key.length) j = 0
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = mt[i - 1]! ^ (mt[i - 1]! >>> 30)
      mt[i] = ((mt[i]! ^ Math.imul(prev, 1566083941)) - i) >>> 0
      i++
      if (i >= N) {
        mt[0] = mt[N - 1]!
        i = 1
      }
    }
    mt[0] = 0x80000000
  }

  /** genrand_uint32. */
  next32(): number {
    const mt = this.mt
    if (this.index >= N) {
      let kk = 0
      for (; kk < N - M; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff)
        mt[kk] = mt[kk + M]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk]! & 0x80000000) | (mt[kk + 1]! & 0x7fffffff)
        mt[kk] = mt[kk + (M - N)]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
      }
      const y = (mt[N - 1]! & 0x80000000) | (mt[0]! & 0x7fffffff)
      mt[N - 1] = mt[M - 1]! ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)
      this.index = 0
    }
    let y = mt[this.index++]!
    y ^= y >>> 11
    y ^= (y << 7) & 0x9d2c5680
    y ^= (y << 15) & 0xefc60000
    y ^= y >>> 18
    return y >>> 0
  }

  /** getrandbits(k): 32-bit words from the least significant up, the last one shifted. */
  getrandbits(k: number): bigint {
    if (k === 0) return 0n
    if (k <= 32) return BigInt(this.next32() >>> (32 - k))
    let out = 0n
    let shift = 0n
    for (let left = k; left > 0; left -= 32) {
      let r = this.next32()
      if (left < 32) r >>>= 32 - left
      out |= BigInt(r) << shift
      shift += 32n
    }
    return out
  }

  /** _randbelow_with_getrandbits(n), n > 0. */
  randbelow(n: bigint): bigint {
    const k = n.toString(2).length
    let r = this.getrandbits(k)
    while (r >= n) r = this.getrandbits(k)
    return r
  }
}

/** CPython's random_seed: an int's absolute value as 32-bit words, low first; str via SHA-512. */
function seedKey(seed: unknown): number[] {
  let n: bigint
  if (typeof seed === 'string') {
    const bytes = Buffer.from(seed, 'utf8')
    const all = Buffer.concat([bytes, createHash('sha512').update(bytes).digest()])
    n = all.length === 0 ? 0n : BigInt(`0x${all.toString('hex')}`)
  } else if (typeof seed === 'boolean') n = seed ? 1n : 0n
  else if (typeof seed === 'number' && Number.isInteger(seed)) n = BigInt(seed)
  else if (typeof seed === 'number' || seed instanceof PyFloat) n = BigInt(floatHash(typeof seed === 'number' ? seed : seed.value))
  else throw new TemplateError('The only supported seed types are: None,\nint, float, str, bytes, and bytearray.')
  if (n < 0n) n = -n
  const key: number[] = []
  while (n > 0n) {
    key.push(Number(n & 0xffffffffn))
    n >>= 32n
  }
  return key.length === 0 ? [0] : key
}

/** Python's hash() of a float (what Random.seed uses for one), modulo 2**61 - 1. */
function floatHash(x: number): number | bigint {
  if (Number.isNaN(x)) return 0
  if (!Number.isFinite(x)) return x > 0 ? 314159 : -314159
  if (Number.isInteger(x)) {
    const P = (1n << 61n) - 1n
    const v = BigInt(x)
    let h = (v < 0n ? -v : v) % P
    if (v < 0n) h = -h
    return h === -1n ? -2n : h
  }
  const P = (1n << 61n) - 1n
  let m = Math.abs(x)
  let e = 0
  while (m < 0.5) {
    m *= 2
    e--
  }
  while (m >= 1) {
    m /= 2
    e++
  }
  let h = 0n
  while (m !== 0) {
    h = ((h << 28n) & P) | (h >> 33n)
    m *= 268435456
    e -= 28
    const y = Math.floor(m)
    m -= y
    h += BigInt(y)
    if (h >= P) h -= P
  }
  const e61 = ((e % 61) + 61) % 61
  h = ((h << BigInt(e61)) & P) | (h >> BigInt(61 - e61))
  if (x < 0) h = -h
  return h === -1n ? -2n : h
}

/** Python's randrange(start, stop, step) on a Random (or the OS when `rng` is undefined). */
export function randrange(rng: PyRandom | undefined, start: number, stop: number, step: number): number {
  const width = stop - start
  let n: number
  if (step === 1) {
    if (width <= 0) throw new TemplateError(`empty range for randrange() (${start}, ${stop}, ${width})`)
    n = width
  } else if (step > 0) n = Math.floor((width + step - 1) / step)
  else if (step < 0) n = Math.floor((width + step + 1) / step)
  else throw new TemplateError('zero step for randrange()')
  if (n <= 0) throw new TemplateError('empty range for randrange()')
  return start + step * below(rng, n)
}

/** A uniform index in [0, n). */
export function below(rng: PyRandom | undefined, n: number): number {
  if (rng === undefined) return n <= 2 ** 48 - 1 ? randomInt(n) : Math.floor(Math.random() * n)
  return Number(rng.randbelow(BigInt(n)))
}

/** Python's Random.shuffle: from the end, each item swapped with one at or before it. */
export function shuffleInPlace<T>(items: T[], rng: PyRandom | undefined): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = below(rng, i + 1)
    const t = items[i]!
    items[i] = items[j]!
    items[j] = t
  }
  return items
}
