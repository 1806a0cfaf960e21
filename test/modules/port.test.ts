import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { leaseHost, stage, type TestHost } from '../support/testbed.js'
import type { Transport } from '../../src/transport/types.js'
import {
  contextFor, converge, convergeInHost, listenerCgroups, mainPid, onHost, processExists, sshTo,
} from './systemd-harness.js'

const UNIT = 'scidex-api.service'
const SPEC = { port: 8000, owner: UNIT, grace: 3 }
const UNIT_CGROUP = `/system.slice/${UNIT}`

let host: TestHost
let ssh: Transport

before(async () => {
  host = await leaseHost()
  ssh = await sshTo(host)
})
after(async () => ssh?.close())

async function assertOwnedByUnit(): Promise<void> {
  const cgroups = await listenerCgroups(host, 8000)
  assert.ok(cgroups.length > 0, 'something listens on :8000')
  assert.deepEqual([...new Set(cgroups)], [UNIT_CGROUP])
}

describe('port over ssh', () => {
  it('evicts the rogue outside systemd, the unit listens from its own cgroup, and a second run changes nothing', async () => {
    const { roguePids } = await stage(host, 'loop')
    const [rogue] = roguePids
    const first = await converge('port', await contextFor(ssh), SPEC)
    assert.equal(first.failure, undefined)
    assert.match(first.changes[0] ?? '', new RegExp(
      `^evict pid ${rogue} \\(/usr/bin/python3 /opt/scidex/scidex_app.py --host 0.0.0.0, outside systemd: /user.slice/user-0.slice/session-\\d+.scope\\) from :8000 — SIGTERM, SIGKILL after 3s$`))
    assert.match(first.changes[1] ?? '', /^reset-failed, then restart scidex-api.service so it listens on :8000/)
    assert.equal(await processExists(host, rogue!), false, 'the rogue is gone')
    await assertOwnedByUnit()
    const pidAfterFirst = await mainPid(host)

    const second = await converge('port', await contextFor(ssh), SPEC)
    assert.deepEqual(second.changes, [])
    assert.equal(second.failure, undefined)
    assert.equal(await mainPid(host), pidAfterFirst, 'the unit was not restarted again')
  })

  it('recovers a unit that hit its start limit (failed) by evicting the rogue and restarting it', async () => {
    await stage(host, 'failed')
    assert.equal(await onHost(host, `systemctl is-failed ${UNIT} || true`), 'failed')
    const first = await converge('port', await contextFor(ssh), SPEC)
    assert.equal(first.failure, undefined)
    assert.equal(first.changes.length, 2)
    assert.match(first.changes[1] ?? '', /\(it is failed\/failed, 5 restarts\)$/)
    await assertOwnedByUnit()
    assert.deepEqual((await converge('port', await contextFor(ssh), SPEC)).changes, [])
  })

  it('evicts rogues on IPv4 and IPv6 alike', async () => {
    const { roguePids } = await stage(host, 'second-rogue')
    assert.equal(roguePids.length, 2)
    const first = await converge('port', await contextFor(ssh), SPEC)
    assert.equal(first.failure, undefined)
    for (const pid of roguePids) {
      assert.ok(first.changes.some((c) => c.startsWith(`evict pid ${pid} `)), `plans to evict ${pid}`)
      assert.equal(await processExists(host, pid), false)
    }
    await assertOwnedByUnit()
  })

  it('SIGKILLs a rogue that ignores SIGTERM once the grace period is over', async () => {
    await onHost(host, `systemctl stop ${UNIT}; cd / && setsid nohup python3 -c '
import signal, socket, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", 8000)); s.listen(); time.sleep(600)
' >/dev/null 2>&1 </dev/null &
i=0; until ss -ltnH 'sport = :8000' | grep -q LISTEN; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done`)
    const first = await converge('port', await contextFor(ssh), { ...SPEC, grace: 1 })
    assert.equal(first.failure, undefined)
    assert.deepEqual(first.applied[0], { pid: (first.applied[0] as { pid: number }).pid, outcome: 'killed' })
    await assertOwnedByUnit()
  })

  it('plans the eviction under --check (probe and diff only) and signals nothing', async () => {
    const { roguePids } = await stage(host, 'loop')
    const { port } = await import('../../src/modules/port.js')
    const ctx = await contextFor(ssh)
    const planned = port.diff(SPEC, await port.probe(ctx, SPEC))
    assert.equal(planned[0]?.action, 'evict')
    assert.equal(await processExists(host, roguePids[0]!), true, 'the rogue still runs')
    assert.equal((await converge('port', ctx, SPEC)).failure, undefined)
  })

  it('fails naming the other unit that holds the port, and stops nothing', async () => {
    await onHost(host, `systemctl stop ${UNIT}
systemd-run --quiet --unit=tend-other.service /usr/bin/python3 -m http.server --bind 0.0.0.0 8000
i=0; until ss -ltnH 'sport = :8000' | grep -q LISTEN; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done`)
    const otherPid = await mainPid(host, 'tend-other.service')
    const result = await converge('port', await contextFor(ssh), SPEC)
    assert.match(result.failure ?? '', new RegExp(`^:8000 is held by tend-other.service \\(pid ${otherPid} \\(/usr/bin/python3 -m http.server --bind 0.0.0.0 8000, in tend-other.service\\)\\)`))
    assert.equal(await processExists(host, otherPid), true, 'nothing was killed')

    const evicting = await converge('port', await contextFor(ssh), { ...SPEC, evict_other_units: true })
    assert.equal(evicting.failure, undefined)
    assert.match(evicting.changes[0] ?? '', /^stop tend-other.service \(pid \d+ /)
    assert.equal(await onHost(host, 'systemctl is-active tend-other.service || true'), 'inactive')
    await assertOwnedByUnit()
  })

  it('passes a hostile owner name to systemctl as one word: clear failure, nothing run', async () => {
    const hostile = "x';touch /tmp/pwned;'.service"
    const result = await converge('port', await contextFor(ssh), { ...SPEC, owner: hostile })
    assert.equal(result.failure, `unit "${hostile}" not found (LoadState=not-found)`)
    assert.equal((await host.sh('test -e /tmp/pwned')).exitCode, 1, '/tmp/pwned was not created')
  })
})

describe('port through the local transport inside the host', () => {
  it('evicts the rogue and converges, then changes nothing on the second run', async () => {
    const { roguePids } = await stage(host, 'loop')
    const first = await convergeInHost(host, 'port', SPEC)
    assert.equal(first.failure, undefined)
    assert.ok(first.changes[0]?.startsWith(`evict pid ${roguePids[0]} `))
    assert.equal(await processExists(host, roguePids[0]!), false)
    await assertOwnedByUnit()
    const pid = await mainPid(host)
    const second = await convergeInHost(host, 'port', SPEC)
    assert.deepEqual(second.changes, [])
    assert.equal(await mainPid(host), pid)
  })
})
