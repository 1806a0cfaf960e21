/**
 * sshd stopped on one of three hosts (and its open connections dropped): the watch reports it
 * unreachable (tend_host_up 0), keeps the other hosts on their schedule, and picks the host up
 * again by itself once sshd is back.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { shQuote } from '../../src/transport/quote.js'
import { PLAYBOOK, REPO } from '../e2e/support.js'
import { leaseHosts } from '../support/testbed.js'
import { eventually, getText, history, inventoryOf, killWatch, metricValue, startWatch } from './support.js'

const hosts = await leaseHosts(3)
const [down, ...up] = hosts as [typeof hosts[0], ...typeof hosts]
const dir = mkdtempSync(join(tmpdir(), 'tend-watch-outage-'))
const inventory = join(dir, 'inventory.yaml')
writeFileSync(inventory, inventoryOf(hosts))
const RESUME_PORT = 9977

/**
 * On the host, outside any ssh session (a transient unit): stop sshd, drop every established ssh
 * connection, then wait for one TCP connection on RESUME_PORT before starting sshd again. The
 * test decides when sshd comes back without needing ssh to say so.
 */
const OUTAGE = `
python3 -c 'import socket; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", ${RESUME_PORT})); s.listen(1); c, _ = s.accept(); c.close()' &
listener=$!
systemctl stop ssh.service
for p in $(ss -Htnp state established '( sport = :${down.port} )' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do kill -9 "$p"; done
wait "$listener"
systemctl start ssh.service
`

const watch = startWatch(REPO, [PLAYBOOK, '-i', inventory, '--every', '5s', '-e', 'stable_seconds=1', '--forks', '3', '--metrics', '127.0.0.1:0'])
after(async () => {
  killWatch(watch)
  // Never leave the host without sshd, whatever happened above.
  await new Promise<void>((resolve) => connect(RESUME_PORT, down.address).on('connect', resolve).on('error', () => resolve()))
})

const metric = async (name: string, host: string) =>
  metricValue((await getText(`${await watch.metricsUrl()}/metrics`)).text, name, { host })

test('a host whose sshd stops is reported unreachable; the others keep their schedule; it comes back by itself', async () => {
  for (const h of hosts) await watch.waitFor(`an ok cycle of ${h.name}`, (e) => e.type === 'cycle-end' && e.host === h.name && e.outcome === 'ok')
  // Warm: across cycles the watch keeps one connection (the same client port) to the host.
  const clientPorts = async () => new Set((await down.sh(`ss -Htn state established '( sport = :${down.port} )'`)).stdout
    .split('\n').map((l) => l.trim().split(/\s+/).at(-1) ?? '').filter(Boolean))
  const samples: Set<string>[] = []
  for (let i = 0; i < 3; i++) {
    const mark = watch.events.length
    await watch.waitFor('another cycle', (e) => watch.events.indexOf(e as never) >= mark && e.type === 'cycle-end' && e.host === down.name)
    samples.push(await clientPorts())
  }
  const kept = [...samples[0]!].filter((p) => samples.every((s) => s.has(p)))
  assert.equal(kept.length, 1, `connections seen: ${samples.map((s) => [...s].join(' ')).join(' | ')}`)
  const started = await down.sh(`systemd-run --quiet --unit tend-test-outage-$$ --collect sh -c ${shQuote(OUTAGE)}`)
  assert.equal(started.exitCode, 0, started.stderr)
  const outageAt = Date.now()
  await eventually('tend_host_up 0 for the host', async () => (await metric('tend_host_up', down.name)) === 0)
  const reason = await watch.waitFor('an unreachable cycle', (e) => e.type === 'cycle-end' && e.host === down.name && e.outcome === 'unreachable')
  assert.ok(reason.type === 'cycle-end' && (reason.message ?? '') !== '')
  // The others go on: each finishes at least two more ok cycles while the host is down.
  for (const h of up) {
    await eventually(`${h.name} keeps converging`, async () =>
      watch.events.filter((e) => e.type === 'cycle-end' && e.host === h.name && e.outcome === 'ok' && e.startedAt > outageAt).length >= 2)
    assert.equal(await metric('tend_host_up', h.name), 1)
  }
  assert.equal((await getText(`${await watch.metricsUrl()}/healthz`)).status, 200, 'an unreachable host does not make the watch unhealthy')
  // sshd back: the watch reconnects by itself.
  await new Promise<void>((resolve, reject) => connect(RESUME_PORT, down.address).on('connect', resolve).on('error', reject))
  const backAt = Date.now()
  await eventually('the host converging again', async () =>
    watch.events.some((e) => e.type === 'cycle-end' && e.host === down.name && e.outcome === 'ok' && e.startedAt > backAt))
  assert.equal(await metric('tend_host_up', down.name), 1)
  const unreachable = await history(REPO, watch.stateDir, '--host', down.name, '--status', 'unreachable')
  assert.ok(unreachable.length >= 1)
  // Retries backed off: fewer attempts than one per second of outage.
  assert.ok(unreachable.length < (backAt - outageAt) / 1000, `${unreachable.length} attempts`)
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
})
