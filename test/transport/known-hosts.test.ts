import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'
import {
  checkHostKey, entryMatchesHost, fingerprint, keyTypeOf, knownHostsName, parseKnownHosts, type KnownHostEntry,
} from '../../src/transport/known-hosts.js'
import { keygen } from './support/sshd.js'

const run = promisify(execFile)

/** The SSH wire-format blob of a public key file, as ssh2's hostVerifier receives it. */
async function blobOf(pubFile: string): Promise<{ type: string; base64: string; blob: Buffer }> {
  const [type = '', base64 = ''] = (await readFile(pubFile, 'utf8')).split(' ')
  return { type, base64, blob: Buffer.from(base64, 'base64') }
}

/** Does OpenSSH itself find `name` in `file`? */
async function sshKeygenFinds(file: string, name: string): Promise<boolean> {
  return run('ssh-keygen', ['-F', name, '-f', file]).then(() => true, () => false)
}

describe('known_hosts parsing and matching, checked against ssh-keygen', () => {
  let dir: string
  let ed: { type: string; base64: string; blob: Buffer }
  let rsa: { type: string; base64: string; blob: Buffer }
  let file: string
  let entries: KnownHostEntry[]
  const names = ['a.example.com', 'bad.example.com', '[10.0.0.1]:2222', '10.0.0.1', 'plain', '[plain]:22', 'hashed.host',
    '[hashed.host]:2200', 'other', 'UPPER.example.COM', 'x?y', 'xzy']

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tend-kh-'))
    ed = await blobOf(`${await keygen(join(dir, 'ed'), 'ed25519')}.pub`)
    rsa = await blobOf(`${await keygen(join(dir, 'rsa'), 'rsa')}.pub`)
    const hashedFile = join(dir, 'hashed')
    await writeFile(hashedFile, `hashed.host ${ed.type} ${ed.base64}\n[hashed.host]:2200 ${rsa.type} ${rsa.base64}\n`)
    await run('ssh-keygen', ['-H', '-f', hashedFile])
    file = join(dir, 'known_hosts')
    await writeFile(file, [
      '# comment line',
      `!bad.example.com,*.example.com ${ed.type} ${ed.base64}`,
      `[10.0.0.1]:2222 ${ed.type} ${ed.base64} comment words`,
      `plain,other ${rsa.type} ${rsa.base64}`,
      `@cert-authority *.ca ${ed.type} ${ed.base64}`,
      `@revoked other ${rsa.type} ${rsa.base64}`,
      `x?y ${ed.type} ${ed.base64}`,
      (await readFile(hashedFile, 'utf8')).trim(),
      '',
    ].join('\n'))
    entries = parseKnownHosts(await readFile(file, 'utf8'), file)
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('parses entries with their line numbers, skipping comments and @cert-authority', () => {
    assert.deepEqual(entries.map((entry) => [entry.line, entry.revoked, entry.keyType]),
      [[2, false, 'ssh-ed25519'], [3, false, 'ssh-ed25519'], [4, false, 'ssh-rsa'], [6, true, 'ssh-rsa'],
        [7, false, 'ssh-ed25519'], [8, false, 'ssh-ed25519'], [9, false, 'ssh-rsa']])
    assert.match(entries[5]?.hosts ?? '', /^\|1\|/)
  })

  it('matches host names exactly as ssh-keygen -F does (lists, wildcards, negation, hashes, ports)', async () => {
    for (const name of names) {
      const ours = entries.filter((entry) => !entry.revoked).some((entry) => entryMatchesHost(entry, name))
      assert.equal(ours, await sshKeygenFinds(file, name), `disagreement for ${name}`)
    }
  })

  it('names a non-22 port [host]:port and port 22 plain', () => {
    assert.equal(knownHostsName('10.0.0.1', 22), '10.0.0.1')
    assert.equal(knownHostsName('10.0.0.1', 2222), '[10.0.0.1]:2222')
  })

  it('prints fingerprints exactly like ssh-keygen -lf', async () => {
    const { stdout } = await run('ssh-keygen', ['-lf', join(dir, 'rsa.pub')])
    assert.equal(fingerprint(rsa.blob), stdout.split(' ')[1])
    assert.equal(keyTypeOf(rsa.blob), 'ssh-rsa')
  })

  it('judges a presented key: known, changed (same type, other key), unknown, revoked', () => {
    assert.equal(checkHostKey(entries, 'hashed.host', ed.blob).kind, 'known')
    assert.equal(checkHostKey(entries, '[hashed.host]:2200', rsa.blob).kind, 'known')
    assert.equal(checkHostKey(entries, 'plain', rsa.blob).kind, 'known')
    const changed = checkHostKey(entries, '[hashed.host]:2200', Buffer.from(ed.base64, 'base64'))
    assert.equal(changed.kind, 'unknown', 'another key type is not a change')
    assert.equal(checkHostKey(entries, 'a.example.com', Buffer.concat([ed.blob.subarray(0, -1), Buffer.from([0])])).kind, 'changed')
    assert.equal(checkHostKey(entries, 'bad.example.com', ed.blob).kind, 'unknown')
    const revoked = checkHostKey(entries, 'other', rsa.blob)
    assert.deepEqual([revoked.kind, revoked.kind === 'revoked' ? revoked.entry.line : 0], ['revoked', 6])
  })
})
