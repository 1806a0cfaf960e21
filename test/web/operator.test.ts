/**
 * The fleet page as an operator uses it each day, in a real browser against `tend serve`: the
 * hosts that need attention come first and any column sorts; a host not checked for three of the
 * watch's intervals is marked stale; the header says whether a watch is still writing; the same
 * failure repeated cycle after cycle is one timeline entry with its count and time span.
 */
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser } from 'puppeteer-core'
import { createRun } from '../../src/state/runs.js'
import { StateStore, freshStateDir, launchBrowser, okCycle, openPage, recordCycle, startServe, stopProcess } from './support.js'

const MINUTE = 60_000
const dir = freshStateDir()
let serve: Awaited<ReturnType<typeof startServe>>
let browser: Browser

before(async () => {
  const now = Date.now()
  const store = StateStore.open(dir)
  createRun(store, { id: 'watch-op', kind: 'watch', playbook: 'site.yaml', startedAt: now - 60 * MINUTE, status: 'running', controller: 'ctl', pid: 4242, plan: { everyMs: MINUTE, splayMs: 0, rate: null, forks: 5 } })
  recordCycle(store, okCycle('a-fresh', now - 30_000, 'watch-op'))
  recordCycle(store, okCycle('c-stale', now - 10 * MINUTE, 'watch-op'))
  recordCycle(store, okCycle('b-failing', now - 6 * MINUTE, 'watch-op'))
  for (const ago of [4, 3, 2]) {
    recordCycle(store, { runId: 'watch-op', host: 'b-failing', startedAt: now - ago * MINUTE, durationMs: 50, outcome: 'failed', message: 'port 8000: held by pid 77 (uvicorn, outside systemd)', changes: [], evidence: [] })
  }
  store.close()
  serve = await startServe(dir)
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  if (serve) await stopProcess(serve.child)
})

const hostOrder = (page: import('puppeteer-core').Page) => page.$$eval('tbody tr', (rows) => rows.map((r) => (r as HTMLElement).dataset.host))

test('failed hosts first, any column sorts, a stale host is marked, the header says the watch is writing', async () => {
  const { page, errors } = await openPage(browser, serve.url)
  await page.waitForSelector('tr[data-host="c-stale"]')
  assert.deepEqual(await hostOrder(page), ['b-failing', 'c-stale', 'a-fresh'], 'failed first; of the converged, the stale one first')
  assert.equal(await page.$eval('tr[data-host="c-stale"]', (el) => (el as HTMLElement).dataset.stale), 'true')
  assert.match(await page.$eval('tr[data-host="c-stale"]', (el) => el.textContent ?? ''), /stale/)
  assert.equal(await page.$eval('tr[data-host="a-fresh"]', (el) => (el as HTMLElement).dataset.stale), 'false')
  assert.match(await page.$eval('#mode', (el) => el.textContent ?? ''), /tend watch writing \(last (just now|\d+ s ago)\)/)
  await page.click('th[data-column="Host"] button')
  assert.deepEqual(await hostOrder(page), ['a-fresh', 'b-failing', 'c-stale'])
  assert.equal(await page.$eval('th[data-column="Host"]', (el) => el.getAttribute('aria-sort')), 'ascending')
  await page.click('th[data-column="Host"] button')
  assert.deepEqual(await hostOrder(page), ['c-stale', 'b-failing', 'a-fresh'])
  await page.click('th[data-column="Last checked"] button')
  assert.deepEqual(await hostOrder(page), ['c-stale', 'b-failing', 'a-fresh'], 'oldest check first')
  assert.deepEqual(errors, [])
  await page.close()
})

test('the same failure three cycles running is one timeline entry, with its count and time span', async () => {
  const { page, errors } = await openPage(browser, `${serve.url}#/host/b-failing`)
  await page.waitForSelector('.timeline li')
  const entries = await page.$$eval('.timeline > li', (els) => els.map((el) => ({ count: (el as HTMLElement).dataset.count, text: el.textContent ?? '' })))
  assert.equal(entries.length, 1, JSON.stringify(entries))
  assert.equal(entries[0]!.count, '3')
  assert.match(entries[0]!.text, /failed ×3, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC – \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
  assert.match(entries[0]!.text, /held by pid 77/)
  assert.deepEqual(errors, [])
  await page.close()
})

test('a watch that stopped writing is said to be so', async () => {
  const store = StateStore.open(dir)
  store.db.prepare("UPDATE runs SET status = 'stopped' WHERE id = 'watch-op'").run()
  store.close()
  const { page } = await openPage(browser, serve.url)
  await page.waitForSelector('tr[data-host="a-fresh"]')
  assert.match(await page.$eval('#mode', (el) => el.textContent ?? ''), /no tend watch is writing \(last wrote/)
  await page.close()
})

test('a converged run\'s page lists each host\'s tasks with their status, not only "1 ok"', async () => {
  const now = Date.now()
  const store = StateStore.open(dir)
  const { setRunHost, finishRun } = await import('../../src/state/runs.js')
  createRun(store, { id: 'run-ok', kind: 'run', playbook: 'site.yaml', startedAt: now - 5000, status: 'running', controller: 'ctl', pid: 1, plan: { version: 1, plays: [{ name: 'site', hosts: ['a-fresh'], batches: [['a-fresh']] }] } })
  setRunHost(store, 'run-ok', { play: 0, host: 'a-fresh', batch: 1, status: 'ok' })
  recordCycle(store, { runId: 'run-ok', host: 'a-fresh', startedAt: now - 4000, durationMs: 300, outcome: 'corrected', changes: [{ task: 'motd', summary: 'write /etc/motd' }],
    evidence: [{ task: 'motd', status: 'changed', result: { secret: 'not-shown-here' } }, { task: 'api is active', status: 'ok' }] })
  finishRun(store, 'run-ok', { status: 'converged', exitCode: 0 })
  store.close()
  const { page, errors } = await openPage(browser, `${serve.url}#/run/run-ok`)
  await page.waitForSelector('.host-tasks li')
  const tasks = await page.$$eval('.host-tasks li', (els) => els.map((el) => el.textContent ?? ''))
  assert.deepEqual(tasks, ['changed motd', 'ok api is active'])
  assert.doesNotMatch(await page.$eval('main', (el) => el.textContent ?? ''), /not-shown-here/)
  assert.deepEqual(errors, [])
  await page.close()
})

test('tend serve on a missing state store starts with an empty fleet that says how to fill it, then follows the store', async () => {
  const missing = join(freshStateDir(), 'not-yet')
  const empty = await startServe(missing)
  try {
    const { page, errors } = await openPage(browser, empty.url)
    await page.waitForSelector('#fleet-empty:not([hidden])')
    const note = await page.$eval('#fleet-empty', (el) => el.textContent ?? '')
    assert.match(note, /No host is recorded in this state store yet/)
    assert.ok(note.includes(`tend watch PLAYBOOK -i INVENTORY --every 1m --state-dir ${missing}`), note)
    assert.equal(statSync(missing).mode & 0o777, 0o700)
    // A watch starts writing there: the page follows, and the note goes.
    const store = StateStore.open(missing)
    recordCycle(store, okCycle('first-host', Date.now()))
    store.close()
    await page.waitForSelector('tr[data-host="first-host"]', { timeout: 20_000 })
    assert.equal(await page.$eval('#fleet-empty', (el) => (el as HTMLElement).hidden), true)
    assert.deepEqual(errors, [])
    await page.close()
  } finally {
    await stopProcess(empty.child)
  }
})
