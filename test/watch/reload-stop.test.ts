/**
 * SIGHUP and SIGTERM: a broken playbook edit is refused with its file:line:column while the last
 * good version keeps running, a good edit is picked up; SIGTERM during an eviction lets the
 * eviction finish (the rogue's own SIGTERM handler runs to its end) and the watch exits 0.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { APP_PORT, UNIT_NAME } from '../../src/testbed/index.js'
import { shQuote } from '../../src/transport/quote.js'
import { PLAYBOOK, REPO, portHolders } from '../e2e/support.js'
import { processExists } from '../modules/systemd-harness.js'
import { leaseHosts } from '../support/testbed.js'
import { eventually, history, inventoryOf, killWatch, startWatch, withLockHeld, type Watch } from './support.js'

const [host] = await leaseHosts(1) as [Awaited<ReturnType<typeof leaseHosts>>[0]]
const dir = mkdtempSync(join(tmpdir(), 'tend-watch-reload-'))
const inventory = join(dir, 'inventory.yaml')
writeFileSync(inventory, inventoryOf([host]))
const playbook = join(dir, 'api-recover.yaml')
const original = readFileSync(join(REPO, PLAYBOOK), 'utf8')
writeFileSync(playbook, original)
const watches: Watch[] = []
after(() => watches.forEach(killWatch))

const after_ = (watch: Watch, mark: number) => (e: unknown) => watch.events.indexOf(e as never) >= mark

test('a broken edit + SIGHUP keeps the last good version and reports file:line:column; a good edit is picked up', async () => {
  const watch = startWatch(dir, [playbook, '-i', inventory, '--every', '3s', '-e', 'stable_seconds=1'])
  watches.push(watch)
  await watch.waitFor('a first ok cycle', (e) => e.type === 'cycle-end' && e.outcome === 'ok')
  // A module name misspelt on a known line.
  const broken = original.replace('      port: { port:', '      prot: { port:')
  const line = broken.split('\n').findIndex((l) => l.startsWith('      prot:')) + 1
  writeFileSync(playbook, broken)
  let mark = watch.events.length
  watch.child.kill('SIGHUP')
  const refused = await watch.waitFor('the refused reload', (e) => after_(watch, mark)(e) && e.type === 'reload')
  assert.ok(refused.type === 'reload' && !refused.applied)
  assert.ok(refused.diagnostics.some((d) => d.file.endsWith('api-recover.yaml') && d.line === line && d.column > 0), JSON.stringify(refused.diagnostics))
  await eventually('the diagnostic on stderr', async () => new RegExp(`api-recover\\.yaml:${line}:\\d+`).test(watch.stderr()))
  // The old version keeps converging the host: its port task still runs.
  mark = watch.events.length
  await watch.waitFor('a cycle on the last good version', (e) => after_(watch, mark)(e) && e.type === 'cycle-end' && e.outcome === 'ok'
    && e.evidence.some((t) => t.task.startsWith(':8000 is owned by')))
  writeFileSync(playbook, original.replace('- name: unit is active\n', '- name: unit is active (edited)\n'))
  mark = watch.events.length
  watch.child.kill('SIGHUP')
  const applied = await watch.waitFor('the applied reload', (e) => after_(watch, mark)(e) && e.type === 'reload')
  assert.ok(applied.type === 'reload' && applied.applied, JSON.stringify(applied))
  await watch.waitFor('the edited task running', (e) => after_(watch, mark)(e) && e.type === 'task-end' && e.task === 'unit is active (edited)' && e.status === 'ok')
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
})

/** A rogue on the app's port that takes 4 s to exit on SIGTERM, and says when it starts and ends. */
const SLOW_ROGUE = `
import os, signal, socket, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", ${APP_PORT}))
s.listen(16)
def term(signum, frame):
    open("/run/tend-test-rogue.term", "w").write(str(os.getpid()))
    time.sleep(4)
    open("/run/tend-test-rogue.done", "w").write(str(os.getpid()))
    os._exit(0)
signal.signal(signal.SIGTERM, term)
while True:
    c, _ = s.accept()
    c.close()
`

test('SIGTERM during an eviction: the eviction completes and the watch exits 0', async () => {
  writeFileSync(playbook, original)
  const watch = startWatch(dir, [playbook, '-i', inventory, '--every', '3s', '-e', 'stable_seconds=1'])
  watches.push(watch)
  await watch.waitFor('a first ok cycle', (e) => e.type === 'cycle-end' && e.outcome === 'ok')
  const pid = await withLockHeld(host, async () => {
    const out = await host.sh(`set -e
rm -f /run/tend-test-rogue.term /run/tend-test-rogue.done
printf '%s' ${shQuote(SLOW_ROGUE)} > /run/tend-test-rogue.py
systemctl stop ${UNIT_NAME}
cd / && setsid nohup /usr/bin/python3 /run/tend-test-rogue.py >/dev/null 2>&1 </dev/null &
echo $!
i=0; until ss -ltnH 'sport = :${APP_PORT}' | grep -q .; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.1; done
systemctl start ${UNIT_NAME}`)
    assert.equal(out.exitCode, 0, out.stderr)
    return Number(out.stdout.trim().split('\n')[0])
  })
  // One ssh command that returns as soon as the rogue got its SIGTERM: the stop lands inside the
  // rogue's 4 s however slow a round trip is.
  const seen = await host.sh('i=0; until [ -e /run/tend-test-rogue.term ]; do i=$((i+1)); [ $i -lt 6000 ] || exit 1; sleep 0.05; done', { timeoutMs: 400_000 })
  assert.equal(seen.exitCode, 0, 'the eviction never started')
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
  const tail = watch.events.filter((e) => e.type !== 'task-start').slice(-8).map((e) => JSON.stringify(e)).join('\n')
  assert.equal((await host.sh('cat /run/tend-test-rogue.done')).stdout.trim(), String(pid), `the rogue ran its handler to the end: not killed half-way\n${tail}`)
  assert.equal(await processExists(host, pid), false)
  const portTask = watch.events.find((e) => e.type === 'task-end' && e.task.startsWith(':8000 is owned by') && e.status === 'changed')
  assert.ok(portTask?.type === 'task-end' && portTask.changes.some((c) => c.summary.includes(`evict pid ${pid}`)), JSON.stringify(portTask))
  const stoppingAt = watch.events.findIndex((e) => e.type === 'watch-stopping')
  assert.ok(stoppingAt >= 0 && stoppingAt < watch.events.indexOf(portTask as never), 'the eviction ended after the stop began')
  const corrected = await history(REPO, watch.stateDir, '--status', 'corrected')
  assert.ok(corrected.some((c) => c.changes.some((x) => x.summary.includes(`evict pid ${pid}`))))
  // Nothing was left half-done: the unit takes its port back by itself (Restart=always).
  await eventually('the unit listening again', async () => {
    const holders = await portHolders(host)
    return holders.length > 0 && holders.every((h) => h.cgroup === `/system.slice/${UNIT_NAME}`)
  })
})
