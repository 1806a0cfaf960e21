/**
 * Encodings and digests: b64encode/b64decode, hash/md5/sha1/checksum (hashlib names), to_uuid
 * (uuid5 in Ansible's namespace), password_hash as Ansible computes it with the crypt module
 * (passlib absent): the same salt checks, the same quirk that the algorithm's "implicit" rounds
 * (656000 for sha512) are dropped so crypt's own 5000 apply.
 */
import { createHash, getHashes, randomInt } from 'node:crypto'
import { define, type CallContext, type CallableTable } from '../callable.js'
import { TemplateError } from '../errors.js'
import { md5Crypt, shaCrypt } from './crypt.js'
import { needInt, toText } from './util.js'

/** hashlib names → node:crypto names. */
const HASHES: Readonly<Record<string, string>> = {
  md5: 'md5', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
  sha512_224: 'sha512-224', sha512_256: 'sha512-256', sha3_224: 'sha3-224', sha3_256: 'sha3-256', sha3_384: 'sha3-384', sha3_512: 'sha3-512',
  blake2b: 'blake2b512', blake2s: 'blake2s256', md5_sha1: 'md5-sha1', sm3: 'sm3', ripemd160: 'ripemd160',
}

export function hexDigest(data: string, hashtype: string): string {
  const name = Object.hasOwn(HASHES, hashtype.toLowerCase()) ? HASHES[hashtype.toLowerCase()]! : undefined
  if (name === undefined || !getHashes().includes(name)) throw new TemplateError(`unsupported hash type ${hashtype}`)
  return createHash(name).update(Buffer.from(data, 'utf8')).digest('hex')
}

/** Python's base64.b64decode (non-validating: characters outside the alphabet are dropped). */
function b64decode(text: string, encoding: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9+/=]/g, '')
  const data = cleaned.replace(/=/g, '')
  const pads = cleaned.length - data.length
  if (data.length % 4 === 1) {
    throw new TemplateError(`Invalid base64-encoded string: number of data characters (${data.length}) cannot be 1 more than a multiple of 4`)
  }
  if (data.length % 4 !== 0 && pads < 4 - (data.length % 4)) throw new TemplateError('Incorrect padding')
  return decodeBytes(Buffer.from(data, 'base64'), encoding)
}

function encodeText(text: string, encoding: string): Buffer {
  const e = encoding.toLowerCase().replace(/[-_]/g, '')
  if (e === 'utf8') return Buffer.from(text, 'utf8')
  if (e === 'utf16le') return Buffer.from(text, 'utf16le')
  if (e === 'utf16') return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
  if (e === 'latin1' || e === 'iso88591') {
    if ([...text].some((c) => c.codePointAt(0)! > 0xff)) throw new TemplateError(`'latin-1' codec can't encode characters`)
    return Buffer.from(text, 'latin1')
  }
  if (e === 'ascii') {
    if ([...text].some((c) => c.codePointAt(0)! > 0x7f)) throw new TemplateError(`'ascii' codec can't encode characters`)
    return Buffer.from(text, 'latin1')
  }
  throw new TemplateError(`unknown encoding: ${encoding}`)
}

function decodeBytes(bytes: Buffer, encoding: string): string {
  const e = encoding.toLowerCase().replace(/[-_]/g, '')
  if (e === 'utf8') return new TextDecoder('utf-8').decode(bytes)
  if (e === 'utf16le') return bytes.toString('utf16le')
  if (e === 'utf16') return new TextDecoder('utf-16le').decode(bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2) : bytes)
  if (e === 'latin1' || e === 'iso88591') return bytes.toString('latin1')
  if (e === 'ascii') return bytes.toString('latin1')
  throw new TemplateError(`unknown encoding: ${encoding}`)
}

const UUID_NAMESPACE_ANSIBLE = '361e6d51-faec-444a-9079-341386da8e2e'

/** uuid.uuid5(namespace, name). */
function uuid5(name: string, namespace: string): string {
  const ns = namespace.replace(/[{}-]/g, '').replace(/^urn:uuid:/i, '')
  if (!/^[0-9a-fA-F]{32}$/.test(ns)) throw new TemplateError(`Invalid value '${namespace}' for 'namespace': badly formed hexadecimal UUID string`)
  const hash = createHash('sha1').update(Buffer.from(ns, 'hex')).update(Buffer.from(name, 'utf8')).digest()
  const b = Buffer.from(hash.subarray(0, 16))
  b[6] = (b[6]! & 0x0f) | 0x50
  b[8] = (b[8]! & 0x3f) | 0x80
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

const ALGORITHMS: Readonly<Record<string, { id: string; saltSize: number; implicitRounds: number | null }>> = {
  md5_crypt: { id: '1', saltSize: 8, implicitRounds: null },
  sha256_crypt: { id: '5', saltSize: 16, implicitRounds: 535000 },
  sha512_crypt: { id: '6', saltSize: 16, implicitRounds: 656000 },
}
const SALT_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./'

function passwordHash(ctx: CallContext, password: unknown, hashtype: unknown, salt: unknown, saltSize: unknown, rounds: unknown, ident: unknown): string {
  const mapping: Readonly<Record<string, string>> = { md5: 'md5_crypt', blowfish: 'bcrypt', sha256: 'sha256_crypt', sha512: 'sha512_crypt' }
  const typeText = toText(hashtype)
  const algorithm = Object.hasOwn(mapping, typeText) ? mapping[typeText]! : typeText
  if (algorithm === 'bcrypt') throw new TemplateError("tend does not compute bcrypt password hashes; use sha512 (the default)")
  const algo = Object.hasOwn(ALGORITHMS, algorithm) ? ALGORITHMS[algorithm]! : undefined
  if (algo === undefined) throw new TemplateError(`crypt.crypt does not support '${algorithm}' algorithm`)
  if (typeof password !== 'string') throw new TemplateError(`crypt() argument 1 must be str, not ${typeof password === 'number' ? 'int' : 'object'}`)
  const size = saltSize === null || saltSize === 0 ? algo.saltSize : needInt(saltSize, 'salt_size')
  let saltText: string
  if (salt === null || salt === '' || salt === undefined) {
    saltText = Array.from({ length: size }, () => SALT_CHARS[randomInt(SALT_CHARS.length)]).join('')
  } else saltText = toText(salt)
  if (/[^./0-9A-Za-z]/.test(saltText)) throw new TemplateError('invalid characters in salt')
  if ([...saltText].length > algo.saltSize) throw new TemplateError('invalid salt size')
  let r = rounds === null || rounds === undefined ? null : needInt(rounds, 'rounds')
  if (r === algo.implicitRounds) r = null
  const identText = ident === null || ident === '' || ident === undefined ? algo.id : null
  let setting = ''
  if (r) setting += `rounds=${r}$`
  setting += saltText
  if (identText === null) throw new TemplateError(`crypt.crypt does not support '${algorithm}' algorithm`)
  ctx.charge(Math.min(r ?? 5000, 1e9))
  if (algo.id === '1') return md5Crypt(password, r ? `rounds=${r}$${saltText}` : saltText)
  return shaCrypt(algo.id === '6' ? 'sha512' : 'sha256', password, setting)
}

export const encodeFilters: CallableTable = {
  b64encode: define(['string', 'encoding'], (_c, s, encoding = 'utf-8') => encodeText(toText(s), toText(encoding)).toString('base64')),
  b64decode: define(['string', 'encoding'], (_c, s, encoding = 'utf-8') => b64decode(toText(s), toText(encoding))),
  hash: define(['data', 'hashtype'], (_c, data, hashtype = 'sha1') => hexDigest(toText(data), toText(hashtype))),
  md5: define(['data'], (_c, data) => hexDigest(toText(data), 'md5')),
  sha1: define(['data'], (_c, data) => hexDigest(toText(data), 'sha1')),
  checksum: define(['data'], (_c, data) => hexDigest(toText(data), 'sha1')),
  to_uuid: define(['string', 'namespace'], (_c, s, ns = UUID_NAMESPACE_ANSIBLE) => uuid5(toText(s), toText(ns))),
  password_hash: define(['password', 'hashtype', 'salt', 'salt_size', 'rounds', 'ident'], (ctx, p, t = 'sha512', salt = null, size = null, rounds = null, ident = null) =>
    passwordHash(ctx, p, t, salt, size, rounds, ident)),
}
