import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseShowTimestamp, parseSystemctlShow } from '../../src/modules/systemd/show.js'
import { isEnabled, parseUnitSample, unitStateOf } from '../../src/modules/systemd/unit-state.js'
import { unit } from '../../src/modules/unit.js'

const captured = (file: string): string => readFileSync(new URL(`../fixtures/captured/${file}`, import.meta.url), 'utf8')
const section = (text: string, header: string): string => text.split(`== ${header}\n`)[1]?.split('\n== ')[0] ?? ''
const looping = () => parseUnitSample('scidex-api.service', { exitCode: 0, stdout: captured('unit-probe-looping.txt'), stderr: '' })

describe('systemctl show', () => {
  it('lets only Exec* values span lines; a Description opening a brace stays one line', () => {
    const [props] = parseSystemctlShow(captured('systemctl-show-multiline-exec.txt'))
    assert.equal(props?.get('ExecStart'), '{ path=/bin/sh ; argv[]=/bin/sh -c echo first\nsecond ; ignore_errors=no ; start_time=[n/a] ; stop_time=[n/a] ; pid=0 ; code=(null) ; status=0/0 }')
    assert.match(props?.get('ExecStartPost') ?? '', /^\{ path=\/bin\/true ;.*\}$/)
    assert.equal(props?.get('Description'), '{ a description that opens a brace')
    assert.equal(props?.get('LoadState'), 'loaded')
  })

  it('reads every property of a full show, one block per unit', () => {
    const [full] = parseSystemctlShow(captured('systemctl-show-scidex-api-full.txt'))
    assert.equal(full?.get('ControlGroup'), '/system.slice/scidex-api.service')
    assert.equal(full?.get('NRestarts'), '0')
    const blocks = parseSystemctlShow(captured('systemctl-show-active-and-notfound.txt'))
    assert.deepEqual(blocks.map((b) => `${b.get('Id')} ${b.get('LoadState')} ${b.get('ActiveState')}`), [
      'scidex-api.service loaded active', 'nonexistent-xyz.service not-found inactive',
    ])
  })

  it('keeps a hostile name one word: systemd escapes it and finds no such unit', () => {
    const [props] = parseSystemctlShow(captured('systemctl-show-hostile-name.txt'))
    assert.equal(props?.get('Id'), 'x\\x27\\x3btouch\\x20-tmp-pwned\\x3b\\x27.service')
    assert.equal(props?.get('LoadState'), 'not-found')
  })

  it('reads UTC timestamps (with and without microseconds) and rejects the rest', () => {
    assert.equal(parseShowTimestamp('Sat 2026-11-28 15:57:37 UTC'), Date.UTC(2026, 10, 28, 15, 57, 37))
    assert.equal(parseShowTimestamp('Sat 2026-11-28 16:03:59.027139 UTC'), Date.UTC(2026, 10, 28, 16, 3, 59, 27))
    assert.equal(parseShowTimestamp(''), undefined)
    assert.equal(parseShowTimestamp('n/a'), undefined)
  })
})

describe('unit state and plan from captured hosts', () => {
  it('reads a looping unit: activating/auto-restart, NRestarts, no MainPID, the host clock', () => {
    const sample = looping()
    assert.equal(sample.unit.activeState, 'activating')
    assert.equal(sample.unit.subState, 'auto-restart')
    assert.equal(sample.unit.nRestarts, 1)
    assert.equal(sample.unit.mainPid, 0)
    assert.equal(sample.hostNowMs, 1795882183991)
    assert.equal(isEnabled(sample.unit), true)
  })

  it('plans start for a looping unit and reset-failed + start for one past its start limit', () => {
    assert.deepEqual(unit.diff({ name: 'scidex-api.service' }, looping()).map((c) => c.summary), [
      'start scidex-api.service (it is activating/auto-restart)',
    ])
    const failed = parseSystemctlShow(section(captured('seed-incident-loop.txt'), 'systemctl show (after start limit)'))[0]!
    const sample = { unit: unitStateOf('scidex-api.service', failed), hostNowMs: 0 }
    assert.deepEqual(unit.diff({ name: 'scidex-api.service', state: 'active' }, sample).map((c) => c.action), ['reset-failed-start'])
    assert.deepEqual(unit.diff({ name: 'scidex-api.service', state: 'inactive' }, sample), [], 'failed counts as inactive')
  })

  it('plans daemon-reload first when the unit file changed on disk', () => {
    const [props] = parseSystemctlShow(captured('systemctl-show-scidex-api-full.txt'))
    const changed = new Map(props!)
    changed.set('NeedDaemonReload', 'yes')
    const plan = unit.diff({ name: 'scidex-api.service', state: 'inactive' }, { unit: unitStateOf('scidex-api.service', changed), hostNowMs: 0 })
    assert.deepEqual(plan.map((c) => c.action), ['daemon-reload', 'stop'])
  })
})
