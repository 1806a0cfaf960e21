/**
 * The page's handler mounted on a plain node http server beside other routes, as `tend watch`
 * mounts it, with a live provider: its hosts (including those not seen yet, and their next run)
 * appear, its cycle events reach the event stream at once, and other paths are left to the server.
 */
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { get, createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { createFleetPage } from '../../src/web/handler.js'
import type { LiveHost, LiveProvider } from '../../src/web/live.js'
import { parseListen } from '../../src/http/listen.js'
import { runView } from '../../src/web/run-view.js'
import { resumeCommandOf, stateDirOf } from '../../src/state/dir.js'
import { StateStore, freshStateDir, okCycle, recordCycle } from './support.js'
import { tend } from '../cli/support.js'
import { REPO, startServe, stopProcess } from './support.js'
import { project } from '../cli/support.js'

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Reads the event stream until `until` holds for an event; returns the events seen. */
function readEvents(url: string, until: (events: { event: string; data: unknown }[]) => boolean, onOpen: () => void): Promise<{ event: string; data: unknown }[]> {
  return new Promise((resolve, reject) => {
    const events: { event: string; data: unknown }[] = []
    let buffer = ''
    const req = get(url, (res) => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buffer += chunk
        let end
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event = /^event: (.*)$/m.exec(block)?.[1]
          const data = /^data: (.*)$/m.exec(block)?.[1]
          if (event === undefined || data === undefined) continue
          events.push({ event, data: JSON.parse(data) })
          if (event === 'hello') onOpen()
          if (until(events)) {
            req.destroy()
            resolve(events)
          }
        }
      })
    })
    req.on('error', (e) => { if (!req.destroyed) reject(e) })
  })
}

test('mounted beside other routes with a live provider: its hosts, next runs and cycle events reach the page at once', async () => {
  const store = StateStore.open(freshStateDir())
  const recordedId = recordCycle(store, okCycle('web-1', Date.now() - 1000))
  const hosts: LiveHost[] = [
    { host: 'web-1', state: 'converged', groups: ['web'], lastCheckedAt: Date.now() - 900, nextRunAt: Date.now() + 30_000 },
    { host: 'web-2', state: 'unseen', groups: ['web'], nextRunAt: Date.now() + 5000 },
  ]
  const live: LiveProvider = { hosts: () => hosts, events: new EventEmitter() }
  // An hour-long poll: whatever arrives below came from the provider, not from polling the store.
  const page = createFleetPage({ store, live, pollMs: 3_600_000 })
  const server = createServer((req, res) => {
    if (page(req, res)) return
    if (req.url === '/metrics') return void res.end('tend_up 1\n')
    res.writeHead(404).end()
  })
  const base = await listen(server)
  try {
    assert.equal(await (await fetch(`${base}/metrics`)).text(), 'tend_up 1\n')
    assert.equal((await fetch(`${base}/nothing-here`)).status, 404)
    const fleet = await (await fetch(`${base}/api/fleet`)).json() as { live: boolean; counts: Record<string, number>; hosts: { host: string; state: string; nextRunAt?: number; groups: string[] }[] }
    assert.equal(fleet.live, true)
    assert.deepEqual(fleet.hosts.map((h) => [h.host, h.state, h.groups]), [['web-1', 'converged', ['web']], ['web-2', 'unseen', ['web']]])
    assert.ok(fleet.hosts.every((h) => typeof h.nextRunAt === 'number'))
    assert.equal(fleet.counts.unseen, 1)

    const events = await readEvents(`${base}/events`, (es) => es.some((e) => e.event === 'cycle') && es.some((e) => e.event === 'hosts'), () => {
      live.events.emit('cycle', { ...okCycle('web-1', Date.now() - 500), id: recordedId })   // already recorded: not sent twice
      live.events.emit('cycle', { ...okCycle('web-2', Date.now()), id: recordedId + 1, outcome: 'corrected', changes: [{ task: 't', summary: 'evict pid 9' }] })
      live.events.emit('host', { host: 'web-2', state: 'corrected', running: false, nextRunAt: Date.now() + 30_000 })
    })
    const cycles = events.filter((e) => e.event === 'cycle').map((e) => e.data as { host: string; outcome: string; changes: string[] })
    assert.deepEqual(cycles.map((c) => [c.host, c.outcome, c.changes]), [['web-2', 'corrected', ['evict pid 9']]])
    assert.equal(live.events.listenerCount('cycle'), 1)
  } finally {
    page.close()
    assert.equal(live.events.listenerCount('cycle'), 0, 'close() lets go of the provider')
    server.close()
    store.close()
  }
})

test('a run is read tolerantly: budgets as a count or a percentage, batches from the plan or the hosts, resume when halted, failed or interrupted, naming a state dir that is not the default', () => {
  const run = { id: 'r1', kind: 'run' as const, playbook: 'p.yaml', startedAt: 1, status: 'halted' as const, controller: 'c', pid: 1, plan: { rollout: { error_budget: '20%' }, batches: [['a'], ['b'], ['c', 'd', 'e']] } }
  const counts = { byStatus: { ok: 3, failed: 2 }, batches: 3, current: 3 }
  const view = runView({ run, counts, stateDir: "/var/lib/tend it's" })
  assert.deepEqual(view.budget, { used: 2, allowed: 1, declared: '20%' })
  assert.equal(view.batches, 3)
  assert.equal(view.resumeCommand, `tend resume r1 --state-dir '/var/lib/tend it'\\''s'`)
  assert.equal(resumeCommandOf('r1', stateDirOf(undefined, {}), {}), 'tend resume r1')
  assert.equal(resumeCommandOf('r1', '/srv/state', {}), 'tend resume r1 --state-dir /srv/state')
  const bare = runView({ run: { ...run, status: 'converged', plan: {} }, counts: { byStatus: { ok: 2 }, batches: 0, current: 0 } })
  assert.equal(bare.budget, undefined)
  assert.equal(bare.batches, undefined)
  assert.equal(bare.resumeCommand, undefined)
  assert.equal(runView({ run: { ...run, plan: { budget: { allowed: 4, used: 1 } } }, counts }).budget?.allowed, 4)
})

test('--listen takes HOST:PORT, [IPv6]:PORT, :PORT or PORT; loopback by default', () => {
  assert.deepEqual(parseListen('8470'), { host: '127.0.0.1', port: 8470 })
  assert.deepEqual(parseListen(':0'), { host: '127.0.0.1', port: 0 })
  assert.deepEqual(parseListen('0.0.0.0:80'), { host: '0.0.0.0', port: 80 })
  assert.deepEqual(parseListen('[::1]:9000'), { host: '::1', port: 9000 })
  assert.equal(parseListen('host:99999'), undefined)
  assert.equal(parseListen('nonsense'), undefined)
})

test('tend serve refuses a bad --listen with exit 5 and a hint', async () => {
  const bad = await tend(['serve', '--listen', 'localhost', '--state-dir', freshStateDir()], REPO)
  assert.equal(bad.code, 5)
  assert.match(bad.stderr, /--listen localhost: expected HOST:PORT/)
})

test('tend serve -i INVENTORY lists the inventory\'s hosts with their groups, also those never seen', async () => {
  const dir = freshStateDir()
  const store = StateStore.open(dir)
  recordCycle(store, okCycle('web-1', Date.now()))
  store.close()
  const inv = await project({ 'inventory.yaml': 'all:\n  children:\n    web:\n      hosts:\n        web-1: { ansible_connection: local }\n        web-2: { ansible_connection: local }\n    canary:\n      hosts:\n        web-2: {}\n' })
  const serve = await startServe(dir, 0, ['-i', `${inv}/inventory.yaml`])
  try {
    const fleet = await (await fetch(`${serve.url}api/fleet`)).json() as { hosts: { host: string; state: string; groups: string[] }[] }
    assert.deepEqual(fleet.hosts.map((h) => [h.host, h.state, h.groups]), [['web-1', 'converged', ['web']], ['web-2', 'unseen', ['canary', 'web']]])
  } finally {
    await stopProcess(serve.child)
  }
})
