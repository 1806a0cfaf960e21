/**
 * no_log values never reach the page: `tend watch` on this machine (local connection) with
 * no_log tasks whose argv, output and error carry a secret; the page's JSON, its event stream
 * and the rendered host page hold none of it.
 */
import assert from 'node:assert/strict'
import { get } from 'node:http'
import { after, test } from 'node:test'
import { project } from '../cli/support.js'
import { killWatch, startWatch } from '../watch/support.js'
import { launchBrowser, openPage } from './support.js'

const SECRET = 's3cr3t-4711-token'
const files = await project({
  'inventory.yaml': 'all:\n  hosts:\n    vault-1: { ansible_connection: local }\n',
  'site.yaml': `- hosts: all
  tasks:
    - name: say something harmless
      shell: { cmd: "echo visible-marker-42" }
    - name: use the token
      shell: { cmd: "echo ${SECRET}" }
      no_log: true
    - name: check the token
      shell: { cmd: "echo ${SECRET} >&2; exit 3" }
      no_log: true
`,
})
const watch = startWatch(files, ['site.yaml', '-i', 'inventory.yaml', '--every', '2s', '--metrics', '127.0.0.1:0'])
after(() => killWatch(watch))

/** The event stream's text for a while (until two cycles went by). */
function streamText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const req = get(url, (res) => {
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
        if ((text.match(/event: cycle/g) ?? []).length >= 2) {
          req.destroy()
          resolve(text)
        }
      })
    })
    req.on('error', (e) => (text.includes('event: cycle') ? resolve(text) : reject(e)))
  })
}

test('a no_log task\'s values reach neither the page, nor its JSON, nor its event stream', async () => {
  const base = await watch.metricsUrl()
  const stream = await streamText(`${base}/events`)
  assert.match(stream, /"host":"vault-1"/)
  assert.ok(!stream.includes(SECRET), stream)
  // The same path carries what a task without no_log said (the test would see a leak).
  assert.match(await (await fetch(`${base}/api/host?name=vault-1`)).text(), /visible-marker-42/)
  for (const path of ['/api/fleet', '/api/host?name=vault-1', '/api/runs']) {
    const body = await (await fetch(`${base}${path}`)).text()
    assert.ok(body.includes('vault-1') || path === '/api/runs', `${path}: ${body}`)
    assert.ok(!body.includes(SECRET), `${path}: ${body}`)
  }
  const browser = await launchBrowser()
  try {
    const { page } = await openPage(browser, `${base}/#/host/vault-1`)
    await page.waitForSelector('.timeline .cycle')
    const text = await page.$eval('main', (el) => el.textContent ?? '')
    assert.match(text, /hidden \(no_log\)/)
    assert.ok(!(await page.content()).includes(SECRET))
  } finally {
    await browser.close()
  }
})
