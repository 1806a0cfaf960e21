import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { leaseHost, stage, type TestHost } from '../support/testbed.js'
import type { Transport } from '../../src/transport/types.js'
import { contextFor, converge, convergeInHost, mainPid, onHost, sshTo } from './systemd-harness.js'

const UNIT = 'scidex-api.service'
let host: TestHost
let ssh: Transport

before(async () => {
  host = await leaseHost()
  ssh = await sshTo(host)
})
after(async () => ssh?.close())

const run = async (spec: object) => converge('unit', await contextFor(ssh), spec)
const activeState = () => onHost(host, `systemctl is-active ${UNIT} || true`)

/** A unit that hit its start limit while a rogue held the port; the rogue is then gone. */
async function stageFailedWithoutRogue(): Promise<void> {
  const { roguePids } = await stage(host, 'failed')
  await onHost(host, `kill -9 ${roguePids.join(' ')}`)
  assert.equal(await activeState(), 'failed')
}

describe('unit over ssh', () => {
  it('recovers a failed unit (reset-failed, then start) and a second run changes nothing', async () => {
    await stageFailedWithoutRogue()
    const first = await run({ name: UNIT, state: 'active' })
    assert.deepEqual(first.changes, [`reset-failed, then start ${UNIT} (it is failed/failed)`])
    assert.equal(first.failure, undefined)
    assert.equal(await activeState(), 'active')
    const pid = await mainPid(host)
    const second = await run({ name: UNIT, state: 'active' })
    assert.deepEqual(second.changes, [])
    assert.equal(await mainPid(host), pid)
  })

  it('stops and starts: inactive, then active; each twice', async () => {
    assert.deepEqual((await run({ name: UNIT, state: 'inactive' })).changes, [`stop ${UNIT} (it is active/running)`])
    assert.equal(await activeState(), 'inactive')
    assert.deepEqual((await run({ name: UNIT, state: 'inactive' })).changes, [])
    assert.deepEqual((await run({ name: UNIT })).changes, [`start ${UNIT} (it is inactive/dead)`], 'name alone means active')
    assert.equal(await activeState(), 'active')
    assert.deepEqual((await run({ name: UNIT })).changes, [])
  })

  it('unmasks and starts a masked unit', async () => {
    await stage(host, 'masked')
    const first = await run({ name: UNIT, state: 'active', masked: false })
    assert.deepEqual(first.changes, [`unmask ${UNIT}`, `start ${UNIT} (it is inactive/dead)`])
    assert.equal(first.failure, undefined)
    assert.equal(await activeState(), 'active')
    assert.deepEqual((await run({ name: UNIT, state: 'active', masked: false })).changes, [])
  })

  it('enables a disabled unit, and disables it again', async () => {
    await stage(host, 'disabled')
    assert.deepEqual((await run({ name: UNIT, enabled: true })).changes, [`enable ${UNIT} (it is disabled)`])
    assert.equal(await onHost(host, `systemctl is-enabled ${UNIT} || true`), 'enabled')
    assert.deepEqual((await run({ name: UNIT, enabled: true })).changes, [])
    assert.deepEqual((await run({ name: UNIT, enabled: false })).changes, [`disable ${UNIT} (it is enabled)`])
    assert.deepEqual((await run({ name: UNIT, enabled: true })).changes, [`enable ${UNIT} (it is disabled)`])
  })

  it('runs daemon-reload when the unit file changed on disk', async () => {
    await onHost(host, `f=$(systemctl show -p FragmentPath --value ${UNIT}); printf '\\n# touched by a test\\n' >> "$f"`)
    const first = await run({ name: UNIT, state: 'active' })
    assert.deepEqual(first.changes, [`daemon-reload (the unit file of ${UNIT} changed on disk)`])
    assert.equal(await onHost(host, `systemctl show -p NeedDaemonReload --value ${UNIT}`), 'no')
    assert.deepEqual((await run({ name: UNIT, state: 'active' })).changes, [])
  })

  it('reports the unit properties as facts', async () => {
    const result = await run({ name: UNIT, state: 'active' })
    const facts = result.facts ?? {}
    assert.equal(facts.ActiveState, 'active')
    assert.equal(facts.SubState, 'running')
    assert.equal(facts.MainPID, await mainPid(host))
    assert.equal(typeof facts.NRestarts, 'number')
    assert.equal(facts.UnitFileState, 'enabled')
  })

  it('fails clearly on a unit systemd does not know', async () => {
    const result = await run({ name: 'no-such-unit.service', state: 'active' })
    assert.equal(result.failure, 'unit "no-such-unit.service" not found (LoadState=not-found)')
  })

  it('passes a hostile unit name as one word: clear failure, no file created', async () => {
    const hostile = "x';touch /tmp/pwned;'.service"
    const result = await run({ name: hostile, state: 'active' })
    assert.equal(result.failure, `unit "${hostile}" not found (LoadState=not-found)`)
    assert.equal((await host.sh('test -e /tmp/pwned')).exitCode, 1)
  })
})

describe('unit through the local transport inside the host', () => {
  it('recovers a failed unit, then changes nothing', async () => {
    await stageFailedWithoutRogue()
    const first = await convergeInHost(host, 'unit', { name: UNIT, state: 'active' })
    assert.deepEqual(first.changes, [`reset-failed, then start ${UNIT} (it is failed/failed)`])
    assert.equal(first.failure, undefined)
    assert.equal(await activeState(), 'active')
    assert.deepEqual((await convergeInHost(host, 'unit', { name: UNIT, state: 'active' })).changes, [])
  })
})
