/**
 * Host data is untrusted on the page too: markup and script a host reported (a rogue's command
 * line, a failure message, probe evidence) show as text, and a test in the browser proves none of
 * it ran; the Content-Security-Policy forbids inline script; the page changes nothing.
 */
import assert from 'node:assert/strict'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser } from 'puppeteer-core'
import { STORE_FILE } from '../../src/state/store.js'
import { StateStore, XSS, evictionCycle, freshStateDir, launchBrowser, openPage, recordCycle, seedFleet, startServe, stopProcess } from './support.js'

const dir = freshStateDir()
let serve: Awaited<ReturnType<typeof startServe>>
let browser: Browser

interface Pwned { __pwned?: number }

before(async () => {
  const store = StateStore.open(dir)
  seedFleet(store, ['web-1', 'web-2'])
  recordCycle(store, evictionCycle('web-2', Date.now() - 1000, 666, XSS))
  recordCycle(store, { runId: 'watch-1', host: 'web-1', startedAt: Date.now(), durationMs: 5, outcome: 'failed', message: `port 8000 held by ${XSS}`,
    changes: [], evidence: [{ task: 'port', status: 'failed', result: { command: XSS } }] })
  store.close()
  serve = await startServe(dir)
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  if (serve) await stopProcess(serve.child)
})

test('a rogue command line carrying <img onerror> and </script> shows as text on the fleet and host pages, and none of it runs', async () => {
  const { page } = await openPage(browser, serve.url)
  await page.waitForSelector('tr[data-host="web-1"] .msg')
  assert.equal(await page.$eval('tr[data-host="web-1"] .msg', (el) => el.textContent), `port 8000 held by ${XSS}`)
  for (const host of ['web-1', 'web-2']) {
    await page.goto(`${serve.url}#/host/${host}`)
    await page.waitForSelector('.evidence pre')
    const text = await page.$eval('main', (el) => el.textContent ?? '')
    assert.ok(text.includes(`<img src=x onerror=`) && text.includes('</script><script>window.__pwned=2</script>'), text)
  }
  // Had any of it become markup, an <img src=x> (whose error handler sets the global and the
  // title) or a <script> would be in the document.
  assert.equal(await page.evaluate(() => (window as Pwned).__pwned), undefined)
  assert.equal(await page.title(), 'web-2: tend')
  assert.equal(await page.$$eval('main img, main script', (els) => els.length), 0)
  await page.close()
})

test('the Content-Security-Policy and Trusted Types refuse script, markup and inline handlers written into the page: none runs', async () => {
  const res = await fetch(serve.url)
  const csp = res.headers.get('content-security-policy') ?? ''
  for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "require-trusted-types-for 'script'"]) {
    assert.ok(csp.includes(directive), `${directive} in ${csp}`)
  }
  assert.ok(!csp.includes('unsafe-inline') && !csp.includes('unsafe-eval'), csp)
  const { page } = await openPage(browser, serve.url)
  await page.waitForSelector('tr[data-host="web-1"]')
  // (eval is left out: code evaluated through the DevTools protocol is exempt from the page's
  // CSP; the header check above shows there is no 'unsafe-eval'.) Passed as source text: the test runner's compiler would wrap named functions in a helper the page lacks.
  const outcome = await page.evaluate(`(async () => {
    const violations = []
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective))
    const refused = []
    // Trusted Types: script text and markup from a string are refused outright.
    try {
      const script = document.createElement('script')
      script.textContent = 'window.__pwned = 3'
      document.body.append(script)
    } catch (error) { refused.push(String(error)) }
    try {
      document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.__pwned=4">')
    } catch (error) { refused.push(String(error)) }
    try {
      const img = document.createElement('img')
      img.setAttribute('onerror', 'window.__pwned = 5')
      img.setAttribute('src', '/assets/no-such-image.png')
      document.body.append(img)
    } catch (error) { refused.push(String(error)) }
    await new Promise((r) => setTimeout(r, 500))
    return { pwned: window.__pwned, violations, refused }
  })()`) as { pwned?: number; violations: string[]; refused: string[] }
  assert.equal(outcome.pwned, undefined)
  assert.equal(outcome.refused.length, 3, JSON.stringify(outcome))
  assert.ok(outcome.violations.length >= 3, JSON.stringify(outcome))
  await page.close()
})

test('the page is read-only: anything but GET is refused and the store file is not written', async () => {
  const before = statSync(join(dir, STORE_FILE)).mtimeMs
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const res = await fetch(`${serve.url}api/fleet`, { method })
    assert.equal(res.status, 405, method)
  }
  const { page } = await openPage(browser, serve.url)
  await page.waitForSelector('tr[data-host="web-1"]')
  await page.close()
  assert.equal(statSync(join(dir, STORE_FILE)).mtimeMs, before)
  // On loopback, a request naming another Host (DNS rebinding) gets nothing.
  const foreign = await new Promise<number>((resolve, reject) => {
    import('node:http').then(({ get }) => get(`${serve.url}api/fleet`, { headers: { Host: 'attacker.example:80' } }, (r) => { r.resume(); resolve(r.statusCode ?? 0) }).on('error', reject), reject)
  })
  assert.equal(foreign, 421)
})

test('the same markup arriving live over the event stream shows as text too', async () => {
  const { page } = await openPage(browser, serve.url)
  await page.waitForSelector('tr[data-host="web-2"]')
  const store = StateStore.open(dir)
  try {
    recordCycle(store, { runId: 'watch-1', host: 'web-2', startedAt: Date.now(), durationMs: 5, outcome: 'unreachable', message: XSS, changes: [], evidence: [] })
  } finally {
    store.close()
  }
  await page.waitForFunction(() => document.querySelector('tr[data-host="web-2"]')?.getAttribute('data-state') === 'unreachable', { timeout: 20_000 })
  assert.equal(await page.$eval('tr[data-host="web-2"] .msg', (el) => el.textContent), XSS)
  assert.equal(await page.evaluate(() => (window as Pwned).__pwned), undefined)
  assert.equal(await page.$$eval('main img, main script', (els) => els.length), 0)
  await page.close()
})
