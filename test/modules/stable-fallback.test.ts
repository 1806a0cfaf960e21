import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseSystemctlShow } from '../../src/modules/systemd/show.js'
import { unitStateOf } from '../../src/modules/systemd/unit-state.js'
import { restartBetween } from '../../src/modules/stable.js'

const [full] = parseSystemctlShow(readFileSync(new URL('../fixtures/captured/systemctl-show-scidex-api-full.txt', import.meta.url), 'utf8'))

/** The captured unit, with some properties changed (or removed, as systemd < 235 lacks NRestarts). */
function variant(changes: Readonly<Record<string, string | undefined>>) {
  const props = new Map(full!)
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) props.delete(key)
    else props.set(key, value)
  }
  return unitStateOf('scidex-api.service', props)
}

describe('stable: telling one running instance from the next', () => {
  it('sees a restart by NRestarts even when the sample reads active', () => {
    assert.equal(restartBetween(variant({}), variant({ NRestarts: '2', MainPID: '99' })),
      'scidex-api.service restarted (NRestarts 0 → 2, MainPID 34 → 99)')
    assert.equal(restartBetween(variant({}), variant({})), undefined)
  })

  it('falls back to ActiveEnterTimestampMonotonic and MainPID without NRestarts (systemd < 235)', () => {
    const old = { NRestarts: undefined }
    assert.equal(restartBetween(variant(old), variant(old)), undefined)
    assert.equal(restartBetween(variant(old), variant({ ...old, ActiveEnterTimestampMonotonic: '999999999' })),
      'scidex-api.service re-entered active (ActiveEnterTimestampMonotonic changed)')
    assert.equal(restartBetween(variant(old), variant({ ...old, MainPID: '35' })), 'scidex-api.service changed MainPID 34 → 35')
  })

  it('reports a unit that is no longer active', () => {
    assert.equal(restartBetween(variant({}), variant({ ActiveState: 'activating', SubState: 'auto-restart' })),
      'scidex-api.service is activating/auto-restart')
  })
})
