/**
 * The fleet page in a real browser (Debian's chromium), served by `tend serve` as its own process
 * from a state store seeded through src/state/: hosts and their states, a corrected cycle arriving
 * live, the host's eviction, a halted rollout, screenshots at desktop and phone widths.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser } from 'puppeteer-core'
import {
  DESKTOP, PHONE, REPO, StateStore, artifactsDir, evictionCycle, freshStateDir, launchBrowser, openPage, recordCycle,
  rowState, seedFleet, seedHaltedRollout, startServe, stopProcess,
} from './support.js'

const HOSTS = ['api-eu-1', 'api-eu-2', 'api-us-1']
const ROGUE = '/usr/bin/python3 /opt/scidex/scidex_app.py --port 8000'
const dir = freshStateDir()
let store: StateStore
let serve: Awaited<ReturnType<typeof startServe>>
let browser: Browser

before(async () => {
  store = StateStore.open(dir)
  seedFleet(store, HOSTS)
  seedHaltedRollout(store, HOSTS)
  // Nothing but `tend serve` runs from here on: the store is written by this test only.
  serve = await startServe(dir)
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  if (serve) await stopProcess(serve.child)
  store?.close()
})

test('the fleet lists every host with its state; a corrected cycle turns its row without a reload; its page shows the eviction', async () => {
  const { page, errors } = await openPage(browser, serve.url)
  await page.waitForSelector(`tr[data-host="${HOSTS[2]}"]`)
  // api-eu-2 failed in the halted rollout after its last watch cycle; the others are converged.
  assert.deepEqual(await Promise.all(HOSTS.map((h) => rowState(page, h))), ['converged', 'failed', 'converged'])
  assert.match(await page.$eval('.counts', (el) => el.textContent ?? ''), /converged 2.*failed 1/)
  const marker = await page.evaluate(() => ((window as unknown as { __sameDocument: number }).__sameDocument = 42))

  recordCycle(store, evictionCycle(HOSTS[0]!, Date.now(), 7474, ROGUE))
  await page.waitForFunction((h) => document.querySelector(`tr[data-host="${h}"]`)?.getAttribute('data-state') === 'corrected', { timeout: 20_000 }, HOSTS[0])
  assert.equal(await page.evaluate(() => (window as unknown as { __sameDocument: number }).__sameDocument), marker, 'the page was not reloaded')
  assert.match(await page.$eval('.counts', (el) => el.textContent ?? ''), /corrected 1/)

  await page.click(`tr[data-host="${HOSTS[0]}"] a`)
  await page.waitForSelector('.timeline .cycle')
  const timeline = await page.$eval('.timeline', (el) => el.textContent ?? '')
  assert.match(timeline, /corrected/)
  assert.ok(timeline.includes(`evict pid 7474 (${ROGUE}`), timeline)
  const probe = await page.$eval('.evidence', (el) => el.textContent ?? '')
  assert.ok(probe.includes('"pid": 7474') && probe.includes(ROGUE), probe)
  assert.deepEqual(errors, [])
  await page.close()
})

test('a halted rollout shows its batch, the error budget used, why it halted and the exact resume command', async () => {
  const { page, errors } = await openPage(browser, `${serve.url}#/runs`)
  await page.waitForSelector('tr[data-run="r-2026-halted"]')
  const row = await page.$eval('tr[data-run="r-2026-halted"]', (el) => el.textContent ?? '')
  assert.match(row, /halted batch 2 of 3, budget 1 of 0 used/)
  await page.click('tr[data-run="r-2026-halted"] a')
  await page.waitForSelector('.resume-command')
  assert.equal(await page.$eval('.resume-command', (el) => el.textContent), `tend resume r-2026-halted --state-dir ${dir}`)
  const facts = await page.$eval('.facts', (el) => el.textContent ?? '')
  assert.match(facts, /Batch2 of 3/)
  assert.match(facts, /Error budget1 of 0 used/)
  assert.match(await page.$eval('.reason', (el) => el.textContent ?? ''), /error budget spent: 1 host failed \(api-eu-2\)/)
  const batches = await page.$$eval('.batch', (els) => els.map((el) => el.textContent ?? ''))
  assert.equal(batches.length, 3)
  assert.match(batches[1]!, /Batch 2 of 3.*api-eu-2\s*failed port 8000: held by pid 77/)
  assert.match(batches[2]!, /api-us-1\s*pending/)
  assert.deepEqual(errors, [])
  await page.close()
})

test('screenshots of the fleet and a host page at desktop and phone widths', async () => {
  const out = artifactsDir()
  for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    const { page, errors } = await openPage(browser, serve.url, viewport)
    await page.waitForSelector('.chart')
    await page.screenshot({ path: join(out, `fleet-${name}.png`), fullPage: true })
    // The README's picture of the page is this one: a change to the page shows there at the next run.
    if (name === 'desktop') await page.screenshot({ path: join(REPO, 'docs', 'fleet-page.png') })
    await page.goto(`${serve.url}#/host/${HOSTS[0]}`)
    await page.waitForSelector('.timeline')
    await page.screenshot({ path: join(out, `host-${name}.png`), fullPage: true })
    // Nothing overflows the viewport sideways (readable without horizontal scrolling).
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${name}: page wider than the screen`)
    assert.deepEqual(errors, [])
    await page.close()
  }
})
