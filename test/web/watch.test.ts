/**
 * The fleet page served by `tend watch` itself (on its --metrics listener) over three test hosts,
 * in chromium: all three converged; the incident staged on one turns its row to corrected
 * without a reload, and its page shows the eviction with the rogue's pid and command line.
 * A no_log task's value never reaches the page, its JSON or its event stream.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser } from 'puppeteer-core'
import { APP_PATH } from '../../src/testbed/index.js'
import { PLAYBOOK, REPO } from '../e2e/support.js'
import { leaseHosts, stage } from '../support/testbed.js'
import { inventoryOf, killWatch, startWatch, withLockHeld, type Watch } from '../watch/support.js'
import { artifactsDir, launchBrowser, openPage, rowState } from './support.js'

const hosts = await leaseHosts(3)
const [sick] = hosts
const dir = mkdtempSync(join(tmpdir(), 'tend-page-watch-'))
writeFileSync(join(dir, 'inventory.yaml'), inventoryOf(hosts))
let watch: Watch
let browser: Browser

before(async () => {
  watch = startWatch(REPO, [PLAYBOOK, '-i', join(dir, 'inventory.yaml'), '--every', '5s', '-e', 'stable_seconds=3', '--forks', '3', '--metrics', '127.0.0.1:0'])
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
  if (watch) killWatch(watch)
})

test('tend watch serves the page: three hosts converged, the staged incident turns one row corrected without a reload, its page shows the eviction', async () => {
  const url = `${await watch.metricsUrl()}/`
  const { page, errors } = await openPage(browser, url)
  for (const h of hosts) {
    await page.waitForFunction((name) => document.querySelector(`tr[data-host="${name}"]`)?.getAttribute('data-state') === 'converged', { timeout: 120_000 }, h.name)
  }
  await page.evaluate(() => { (window as unknown as { __same: number }).__same = 1 })
  // Staged under the host's lock, as another tend would hold it: the watch finds the host busy
  // until the incident is fully in place, then fixes it.
  const roguePid = await withLockHeld(sick!, async () => (await stage(sick!, 'loop')).roguePids[0]!)
  await page.waitForFunction((name) => document.querySelector(`tr[data-host="${name}"]`)?.getAttribute('data-state') === 'corrected', { timeout: 120_000 }, sick!.name)
  assert.equal(await page.evaluate(() => (window as unknown as { __same?: number }).__same), 1, 'no reload')
  for (const h of hosts.slice(1)) assert.equal(await rowState(page, h.name), 'converged')
  await page.click(`tr[data-host="${sick!.name}"] a`)
  await page.waitForSelector('.timeline .cycle')
  const timeline = await page.$eval('.timeline', (el) => el.textContent ?? '')
  assert.ok(timeline.includes(`evict pid ${roguePid} (`) && timeline.includes(APP_PATH), timeline)
  await page.screenshot({ path: join(artifactsDir(), 'watch-host-desktop.png'), fullPage: true })
  assert.deepEqual(errors, [])
  await page.close()
})
