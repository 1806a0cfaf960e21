import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { test } from 'node:test'
import { formatDiagnostic } from '../../src/errors.js'
import { brokenCases, validateCase } from './corpus.js'

interface Expected {
  readonly file: string
  readonly line: number
  readonly column: number
  readonly message: string
  readonly hint?: string
}

const cases = brokenCases()

test('the broken corpus holds at least 30 playbooks and inventories', () => {
  assert.ok(cases.length >= 30, `only ${cases.length} cases`)
})

for (const c of cases) {
  test(`broken/${c.name}: reported at its exact file:line:column`, async () => {
    const expected = JSON.parse(readFileSync(c.expectedFile, 'utf8')) as Expected
    const diagnostics = await validateCase(c)
    const shown = diagnostics.map(formatDiagnostic).join('\n\n')
    const match = diagnostics.find(
      (d) => basename(d.file) === expected.file && d.line === expected.line && d.column === expected.column && d.message.includes(expected.message),
    )
    assert.ok(match, `expected ${expected.file}:${expected.line}:${expected.column} "${expected.message}", got:\n${shown}`)
    if (expected.hint) assert.ok(match.hint?.includes(expected.hint), `hint "${match.hint}" lacks "${expected.hint}"`)
    // Every diagnostic with a position shows the line it points at.
    for (const d of diagnostics) if (d.line > 0) assert.equal(typeof d.sourceLine, 'string', formatDiagnostic(d))
  })
}
