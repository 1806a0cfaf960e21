/**
 * The page stays live and stays fast: a lost event stream is announced and clears once `tend serve`
 * is back (what happened meanwhile shows up), and 1,000 hosts are summarised and paged.
 */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'puppeteer-core'
import { EventEmitter } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fleetPageForWatch } from '../../src/web/for-watch.js'
import type { ScheduleEntry } from '../../src/web/schedule-live.js'
import { StateStore, evictionCycle, freshStateDir, launchBrowser, okCycle, openPage, recordCycle, rowState, startServe, stopProcess } from './support.js'

let browser: Browser
before(async () => { browser = await launchBrowser() })
after(async () => { await browser?.close() })

test('a lost connection is announced on the page and clears when tend serve is back; what happened meanwhile shows', async () => {
  const dir = freshStateDir()
  const store = StateStore.open(dir)
  recordCycle(store, okCycle('web-1', Date.now() - 5000))
  let serve = await startServe(dir)
  try {
    const { page } = await openPage(browser, serve.url)
    await page.waitForSelector('tr[data-host="web-1"]')
    assert.equal(await page.$eval('#conn', (el) => (el as HTMLElement).hidden), true)

    await stopProcess(serve.child)
    await page.waitForSelector('#conn:not([hidden])', { timeout: 20_000 })
    assert.match(await page.$eval('#conn', (el) => el.textContent ?? ''), /lost/i)

    recordCycle(store, evictionCycle('web-1', Date.now(), 4242, '/usr/bin/python3 rogue.py'))
    serve = await startServe(dir, serve.port)
    await page.waitForSelector('#conn[hidden]', { timeout: 30_000 })
    await page.waitForFunction(() => document.querySelector('tr[data-host="web-1"]')?.getAttribute('data-state') === 'corrected', { timeout: 20_000 })
    await page.close()
  } finally {
    await stopProcess(serve.child)
    store.close()
  }
})

test('1,000 hosts: the counts cover all of them, the table shows one page, search narrows by host or group', async () => {
  const dir = freshStateDir()
  const store = StateStore.open(dir)
  const now = Date.now()
  const hosts = Array.from({ length: 1000 }, (_, i) => `node-${String(i).padStart(4, '0')}`)
  store.db.transaction(() => {
    hosts.forEach((h, i) => recordCycle(store, i % 100 === 7 ? { ...okCycle(h, now - i * 10), outcome: 'failed', message: 'unit failed' } : okCycle(h, now - i * 10)))
  })()
  // Groups come from a run's frozen inventory.
  const { createRun } = await import('../../src/state/runs.js')
  createRun(store, { id: 'w', kind: 'watch', playbook: 'p.yaml', startedAt: now, status: 'running', controller: 'c', pid: 1, plan: { inventory: { groups: { canary: ['node-0999', 'node-0500'] } } } })
  store.close()
  const serve = await startServe(dir)
  try {
    const { page, errors } = await openPage(browser, serve.url)
    await page.waitForSelector('tr[data-host="node-0000"]')
    assert.match(await page.$eval('.counts', (el) => el.textContent ?? ''), /all 1000.*converged 990.*failed 10/)
    assert.equal(await page.$$eval('tbody tr', (rows) => rows.length), 50)
    assert.match(await page.$eval('.pager', (el) => el.textContent ?? ''), /1–50 of 1000/)

    await page.click('button.s-failed')
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 10)
    assert.deepEqual(await page.$$eval('tbody tr', (rows) => [...new Set(rows.map((r) => r.getAttribute('data-state')))]), ['failed'])
    await page.click('button.all')

    await page.type('#fleet-q', 'canary')
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 2)
    assert.deepEqual(await page.$$eval('tbody tr', (rows) => rows.map((r) => r.getAttribute('data-host'))), ['node-0500', 'node-0999'])

    // Keyboard: Tab reaches the column sorts and the host links.
    await page.$eval('#fleet-q', (el) => { (el as HTMLInputElement).value = '' })
    await page.type('#fleet-q', 'node-0042')
    await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 1)
    // After the search: the five column headers (sort buttons), then the host's link.
    for (let i = 0; i < 6; i++) await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'node-0042')
    await page.keyboard.press('Enter')
    await page.waitForFunction(() => location.hash === '#/host/node-0042' && (document.querySelector('main h1')?.textContent ?? '').startsWith('node-0042'))
    assert.deepEqual(errors, [])
    await page.close()
  } finally {
    await stopProcess(serve.child)
  }
})

test('mounted as tend watch mounts it (its schedule live): hosts not seen yet, next runs, a running host and a cycle end arrive without a reload', async () => {
  const stateDir = freshStateDir()
  const store = StateStore.open(stateDir)   // the watch's own writer connection
  const entries = new Map<string, ScheduleEntry>([
    ['web-1', { host: 'web-1', state: 'waiting', lastOutcome: 'ok', lastChecked: Date.now() - 2000, nextRun: Date.now() + 60_000 }],
    ['web-2', { host: 'web-2', state: 'waiting', nextRun: Date.now() + 120_000 }],
  ])
  const schedule = Object.assign(new EventEmitter(), { snapshot: () => ({ hosts: [...entries.values()] }) })
  const page = fleetPageForWatch({ stateDir, schedule, groupsOf: (host) => (host === 'web-2' ? ['canary'] : ['web']) })
  const server = createServer((req, res) => { if (!page(req, res)) res.writeHead(404).end() })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { page: tab, errors } = await openPage(browser, `http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
    await tab.waitForSelector('tr[data-host="web-2"]')
    assert.equal(await rowState(tab, 'web-2'), 'unseen')
    assert.match(await tab.$eval('tr[data-host="web-2"]', (el) => el.textContent ?? ''), /not yet seen.*in 2 min/)
    assert.match(await tab.$eval('#mode', (el) => el.textContent ?? ''), /live/)

    const running = { ...entries.get('web-2')!, state: 'running', nextRun: undefined }
    schedule.emit('change', running)
    await tab.waitForFunction(() => /running/.test(document.querySelector('tr[data-host="web-2"]')?.textContent ?? ''), { timeout: 10_000 })
    schedule.emit('event', { type: 'cycle-end', runId: 'w', host: 'web-2', outcome: 'corrected', startedAt: Date.now() - 300, durationMs: 300,
      changes: [{ task: 'port', summary: 'evict pid 5' }] })
    await tab.waitForFunction(() => document.querySelector('tr[data-host="web-2"]')?.getAttribute('data-state') === 'corrected', { timeout: 10_000 })
    assert.deepEqual(errors, [])
    await tab.close()
  } finally {
    page.close()
    assert.equal(schedule.listenerCount('event') + schedule.listenerCount('change'), 0)
    server.close()
    store.close()
  }
})
