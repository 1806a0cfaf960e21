import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { leaseHost, stage, type TestHost } from '../support/testbed.js'
import type { Transport } from '../../src/transport/types.js'
import { contextFor, converge, convergeInHost, sshTo } from './systemd-harness.js'

const UNIT = 'scidex-api.service'
const BIND_ERRORS = 'Errno 98|Address already in use'
let host: TestHost
let ssh: Transport

before(async () => {
  host = await leaseHost()
  ssh = await sshTo(host)
})
after(async () => ssh?.close())

const gate = async (since: string, runStartedAt: Date, timeoutMs = 3000) =>
  converge('journal', await contextFor(ssh, { runStartedAt, timeoutMs }), { unit: UNIT, absent: BIND_ERRORS, since })

/** The port module ends the incident: rogue evicted, unit restarted. */
async function recover(): Promise<void> {
  const result = await converge('port', await contextFor(ssh), { port: 8000, owner: UNIT, grace: 3 })
  assert.equal(result.failure, undefined)
}

describe('journal over ssh', () => {
  it('finds the bind errors of the restart loop and shows at most 10 matching lines', async () => {
    const runStart = new Date()
    assert.equal((await gate('run-start', runStart)).failure, undefined, 'no bind error before the incident')
    await stage(host, 'loop')
    // More loops until more than 10 lines match (each loop logs one OSError line).
    let result = await gate('run-start', runStart)
    for (let i = 0; i < 20 && !(result.failure ?? '').includes('the last 10 shown'); i += 1) {
      await new Promise((r) => setTimeout(r, 1000))
      result = await gate('run-start', runStart)
    }
    // The engine's wording: "not as declared:", then the gate's problem (its head and 10 lines).
    const lines = (result.failure ?? '').split('\n')
    assert.equal(lines[0], 'not as declared:')
    assert.match(lines[1] ?? '', /^ {2}- \d+ lines \(the last 10 shown\) of scidex-api\.service's journal since run-start match \/Errno 98\|Address already in use\/:$/)
    assert.equal(lines.length, 12)
    assert.match(lines[11] ?? '', /^ {2}\d{4}-\d\d-\d\dT\S+ \S+ python3\[\d+\]: OSError: \[Errno 98\] Address already in use$/)
  })

  it('passes with since: unit-start once the incident is over, while the older errors remain', async () => {
    await recover()
    assert.equal((await gate('unit-start', new Date())).failure, undefined)
    assert.match((await gate('10m', new Date())).failure ?? '', /OSError: \[Errno 98\]/)
  })

  it('passes with since: run-start for a run that starts after the recovery', async () => {
    const runStart = new Date()
    await new Promise((r) => setTimeout(r, 2000))
    assert.equal((await gate('run-start', runStart)).failure, undefined)
  })

  it('fails clearly for a unit systemd does not know', async () => {
    const result = await converge('journal', await contextFor(ssh), { unit: 'no-such-unit.service', absent: 'x' })
    assert.equal(result.failure, 'unit "no-such-unit.service" not found (LoadState=not-found)')
  })
})

describe('journal through the local transport inside the host', () => {
  it('finds the bind errors after staging, and passes after recovery', async () => {
    const runStart = new Date()
    await stage(host, 'loop')
    const spec = { unit: UNIT, absent: BIND_ERRORS, since: 'run-start' }
    const found = await convergeInHost(host, 'journal', spec, { runStartedAt: runStart, timeoutMs: 3000 })
    assert.match(found.failure ?? '', /OSError: \[Errno 98\] Address already in use/)
    await recover()
    const after = await convergeInHost(host, 'journal', { ...spec, since: 'unit-start' }, { timeoutMs: 3000 })
    assert.equal(after.failure, undefined)
  })
})
