import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { messageOf } from '../../src/modules/systemd/journal-read.js'
import { journal } from '../../src/modules/journal.js'

const lines = readFileSync(new URL('../fixtures/captured/journal-probe-loop.txt', import.meta.url), 'utf8').split('\n').slice(1).filter(Boolean)

describe('journal lines', () => {
  it('matches the message, not the timestamp, host or identifier', () => {
    const error = lines.find((l) => l.includes('OSError: [Errno 98]'))!
    assert.equal(messageOf(error), 'OSError: [Errno 98] Address already in use')
    assert.equal(messageOf('    continuation of a message'), '    continuation of a message')
  })

  it('fails listing the matching lines, trimmed, at most 10', () => {
    const matches = Array.from({ length: 6 }, () => lines).flat().filter((l) => /Errno 98/.test(messageOf(l)))
    const [change] = journal.diff({ unit: 'scidex-api.service', absent: 'Errno 98' },
      { unit: 'scidex-api.service', since: 'run-start', pattern: 'Errno 98', matches: [...matches, 'x'.repeat(300)] })
    const shown = change?.summary.split('\n') ?? []
    assert.match(shown[0] ?? '', /^\d+ lines \(the last 10 shown\) of scidex-api\.service's journal since run-start match \/Errno 98\/:$/)
    assert.equal(shown.length, 11)
    assert.equal(shown[10]?.length, 2 + 200)
    assert.deepEqual(journal.diff({ unit: 'u', absent: 'x' }, { unit: 'u', since: 'run-start', pattern: 'x', matches: [] }), [])
  })
})
