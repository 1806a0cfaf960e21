/**
 * A rollout that really halts (`tend run`, local hosts, serial 1, error budget 0, the second host
 * broken), then `tend serve` on its state dir with nothing else running: the page shows the
 * batch it halted at, the budget used, why, and the same resume command `tend run` printed.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser } from 'puppeteer-core'
import { project, tend } from '../cli/support.js'
import { launchBrowser, openPage, startServe, stopProcess } from './support.js'

const INVENTORY = 'all:\n  hosts:\n    a: { ansible_connection: local }\n    b: { ansible_connection: local }\n    c: { ansible_connection: local }\n'
const PLAYBOOK = `- name: roll
  hosts: all
  serial: 1
  rollout: { error_budget: 0 }
  tasks:
    - name: converge
      shell: |
        ! [ {{ inventory_hostname }} = b ] || ! [ -e broken-b ]
`

let browser: Browser
before(async () => { browser = await launchBrowser() })
after(async () => { await browser?.close() })

test('a halted rollout recorded by tend run: tend serve shows its batch, the budget used, why it halted and the resume command tend run printed', async () => {
  const dir = await project({ 'inventory/local.yaml': INVENTORY, 'site.yaml': PLAYBOOK, 'broken-b': '' })
  const state = join(dir, 'state')
  const run = await tend(['run', 'site.yaml', '--state-dir', state], dir)
  assert.equal(run.code, 6, run.stdout + run.stderr)
  const id = /^run (\S+)/.exec(run.stdout)?.[1]
  const printed = /resume with: (tend resume .*)$/m.exec(run.stdout)?.[1]
  assert.ok(id && printed, run.stdout)

  const serve = await startServe(state)
  try {
    const { page, errors } = await openPage(browser, `${serve.url}#/runs`)
    await page.waitForSelector(`tr[data-run="${id}"]`)
    assert.match(await page.$eval(`tr[data-run="${id}"]`, (el) => el.textContent ?? ''), /halted batch 2 of 3, budget 1 of 0 used/)
    await page.click(`tr[data-run="${id}"] a`)
    await page.waitForSelector('.resume-command')
    assert.equal(await page.$eval('.resume-command', (el) => el.textContent), printed)
    const facts = await page.$eval('.facts', (el) => el.textContent ?? '')
    assert.match(facts, /Batch2 of 3/)
    assert.match(facts, /Error budget1 of 0 used/)
    assert.match(await page.$eval('.reason', (el) => el.textContent ?? ''), /error budget exceeded: 1 host down \(b\)/)
    const batches = await page.$$eval('.batch', (els) => els.map((el) => el.textContent ?? ''))
    assert.deepEqual(batches.map((b) => /Batch \d of 3/.exec(b)?.[0]), ['Batch 1 of 3', 'Batch 2 of 3', 'Batch 3 of 3'])
    assert.match(batches[1]!, /b\s*failed/)
    assert.match(batches[2]!, /c\s*pending/)
    assert.deepEqual(errors, [])
    await page.close()
  } finally {
    await stopProcess(serve.child)
  }
})
