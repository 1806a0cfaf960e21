import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { parseSsListeners, holderNameMatches } from '../../src/modules/proc/ss.js'
import { parseProcStat, commandLineOf } from '../../src/modules/proc/stat.js'
import { placeOfCgroup, sliceCgroupPath, systemdCgroupPath, unitOfCgroup } from '../../src/modules/proc/cgroup.js'
import { parseListeners } from '../../src/modules/proc/listeners.js'
import { port } from '../../src/modules/port.js'
import { parseUnitSample } from '../../src/modules/systemd/unit-state.js'
import type { PortState } from '../../src/modules/proc/port-state.js'

const captured = (file: string): string => readFileSync(new URL(`../fixtures/captured/${file}`, import.meta.url), 'utf8')
const section = (text: string, header: string): string => text.split(`== ${header}\n`)[1]?.split('\n== ')[0] ?? ''

/** A port probe's stdout, parsed as readPortState does. */
function portState(file: string): PortState {
  const lines = captured(file).split('\n')
  const at = lines.indexOf('@unit')
  const owner = parseUnitSample('scidex-api.service', { exitCode: 0, stdout: lines.slice(at + 1).join('\n'), stderr: '' }).unit
  return { port: 8000, owner, listeners: parseListeners(lines.slice(0, at)), connectionUnits: [] }
}

describe('ss -ltnpH', () => {
  it('reads IPv4, IPv6, dual-stack and device-bound listeners with their holders', () => {
    const sockets = parseSsListeners(captured('ss-ltnpH-mixed-ipv4-ipv6.txt'))
    assert.deepEqual(sockets.map((s) => `${s.address} ${s.port} ${s.holders.map((h) => `${h.name}/${h.pid}/${h.fd}`)}`), [
      '0.0.0.0 22 sshd/38/3', '127.0.0.1%lo 8002 python3/171/5', '0.0.0.0 8000 python3/144/3',
      '[::] 22 sshd/38/4', '[::] 8000 python3/171/3', '* 8001 python3/171/4',
    ])
  })

  it('reads every process sharing one socket, names cut at ")" as ss prints them', () => {
    const text = captured('ss-prefork-two-holders-odd-comm.txt')
    const [socket] = parseSsListeners(text)
    assert.deepEqual(socket?.holders, [{ name: 'my (odd', pid: 193, fd: 3 }, { name: 'my (odd', pid: 191, fd: 3 }])
    const stat = parseProcStat(text.split('\n')[1] ?? '')
    assert.equal(stat?.comm, 'my (odd) app')
    assert.equal(holderNameMatches('my (odd', stat?.comm ?? ''), true)
  })

  it('takes the pid from the end of an entry when a process names itself ",pid=1,fd=3"', () => {
    const [socket] = parseSsListeners(captured('ss-ltnpH-crafted-comm-dev-machine.txt'))
    assert.deepEqual(socket?.holders.map((h) => h.pid), [10852])
  })
})

describe('/proc/<pid>/stat and cgroup', () => {
  it('reads the start time (field 22) after a comm with spaces and parentheses', () => {
    const stat = parseProcStat('193 (my (odd) app) S 191 191 191 0 -1 4194368 66 0 0 0 0 0 0 0 20 0 1 0 60700 14561280 1445 1 0')
    assert.deepEqual(stat, { pid: 193, comm: 'my (odd) app', state: 'S', ppid: 191, startTime: '60700' })
    assert.equal(parseProcStat(section(captured('seed-incident-loop.txt'), '/proc/144/stat'))?.startTime, '58733')
  })

  it('finds the systemd cgroup on v1 (name=systemd) and v2 (0::) lines', () => {
    const cgroup = section(captured('seed-incident-loop.txt'), '/proc/144/cgroup')
    assert.equal(systemdCgroupPath(cgroup), '/user.slice/user-0.slice/session-21.scope')
    const v2Only = cgroup.split('\n').filter((l) => l.startsWith('0::')).join('\n')
    assert.equal(systemdCgroupPath(v2Only), '/user.slice/user-0.slice/session-21.scope')
  })

  it('tells a session scope from a system unit', () => {
    assert.deepEqual(placeOfCgroup('/user.slice/user-0.slice/session-21.scope'), { kind: 'user', unit: 'session-21.scope', path: '/user.slice/user-0.slice/session-21.scope' })
    assert.deepEqual(placeOfCgroup('/system.slice/tend-other.service'), { kind: 'unit', unit: 'tend-other.service', path: '/system.slice/tend-other.service' })
    assert.deepEqual(placeOfCgroup('/'), { kind: 'none', path: '/' })
    assert.equal(unitOfCgroup('/system.slice/x.service/worker'), 'x.service')
  })

  it("places a process in a user's own unit as that user's unit, not a rogue", () => {
    const path = '/user.slice/user-2901.slice/user@2901.service/app.slice/tend-user-app.service'
    assert.deepEqual(placeOfCgroup(path), { kind: 'user-unit', unit: 'tend-user-app.service', uid: 2901, path })
    assert.deepEqual(placeOfCgroup('/user.slice/user-2901.slice/user@2901.service'), { kind: 'unit', unit: 'user@2901.service', path: '/user.slice/user-2901.slice/user@2901.service' })
  })

  it('names a nested container by the unit the host knows, never by a unit name inside it', () => {
    const path = '/machine.slice/systemd-nspawn@web.service/payload/system.slice/scidex-api.service'
    assert.deepEqual(placeOfCgroup(path), { kind: 'unit', unit: 'systemd-nspawn@web.service', path })
  })

  it('derives the cgroup of a slice as systemd does', () => {
    assert.equal(sliceCgroupPath('system.slice'), '/system.slice')
    assert.equal(sliceCgroupPath('a-b-c.slice'), '/a.slice/a-b.slice/a-b-c.slice')
    assert.equal(sliceCgroupPath('-.slice'), '')
  })

  it('shows the command line with NULs as spaces, shortened', () => {
    assert.equal(commandLineOf('/usr/bin/python3\0/opt/scidex/scidex_app.py\0', 'python3'), '/usr/bin/python3 /opt/scidex/scidex_app.py')
    assert.equal(commandLineOf('', 'kworker/0:1'), '[kworker/0:1]')
    assert.equal(commandLineOf('x'.repeat(100), 'x').length, 80)
  })
})

describe('port probe output → plan', () => {
  it('plans to evict both rogues (IPv4 and IPv6), naming each, then restart the looping owner', () => {
    const state = portState('port-probe-second-rogue-loop.txt')
    assert.deepEqual(port.diff({ port: 8000, owner: 'scidex-api.service', grace: 10 }, state).map((c) => c.summary), [
      'evict pid 5587 (/usr/bin/python3 /opt/scidex/scidex_app.py --host 0.0.0.0, outside systemd: /user.slice/user-0.slice/session-861.scope) from :8000 — SIGTERM, SIGKILL after 10s',
      'evict pid 5588 (/usr/bin/python3 /opt/scidex/scidex_app.py --host ::, outside systemd: /user.slice/user-0.slice/session-861.scope) from :8000 — SIGTERM, SIGKILL after 10s',
      'reset-failed, then restart scidex-api.service so it listens on :8000 (it is activating/auto-restart, 1 restart)',
    ])
    assert.deepEqual(state.listeners.map((l) => l.startTime), ['129356', '129356'])
  })

  it('plans nothing when only the owner listens', () => {
    const state = portState('port-probe-baseline.txt')
    assert.equal(state.listeners.length, 1)
    assert.deepEqual(port.diff({ port: 8000, owner: 'scidex-api.service' }, state), [])
  })
})
