/** The one option table: an option parses the same in every command that takes it; no entry is unused. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { OPTIONS } from '../../src/cli/options.js'
import * as flags from '../../src/cli/flags.js'
import { project, tend } from './support.js'

test('--rate, --forks and --wait-lock refuse a bad value with the same words in every command', async () => {
  const dir = await project({ 'pb.yaml': '- hosts: all\n  tasks: []\n' })
  const commands: Record<string, string[]> = {
    rate: ['run pb.yaml', 'resume', 'watch pb.yaml --every 1m'],
    forks: ['run pb.yaml', 'watch pb.yaml --every 1m'],
    waitLock: ['run pb.yaml', 'resume'],
  }
  const flagOf = { rate: '--rate', forks: '--forks', waitLock: '--wait-lock' } as const
  for (const [key, uses] of Object.entries(commands) as [keyof typeof flagOf, string[]][]) {
    const answers = await Promise.all(uses.map((u) => tend([...u.split(' '), flagOf[key], '-1'], dir)))
    for (const a of answers) assert.equal(a.code, 5, a.stderr)
    const words = answers.map((a) => /argument '-1' is invalid\. (.*)/.exec(a.stderr)?.[1])
    assert.ok(words[0] !== undefined, answers[0]!.stderr)
    assert.deepEqual(new Set(words).size, 1, `${flagOf[key]}: ${words.join(' | ')}`)
  }
})

test('every option of the table is taken by some command', () => {
  const used = new Set(Object.values(flags).filter(Array.isArray).flat().map((u: string | { key: string }) => (typeof u === 'string' ? u : u.key)))
  assert.deepEqual(Object.keys(OPTIONS).filter((k) => !used.has(k)), [])
})
