/**
 * The fleet page under test: a state store seeded through src/state/, `tend serve` started as a
 * process (ended by pid), and Debian's chromium driven by puppeteer-core (never a downloaded browser).
 */
import { mkdirSync, mkdtempSync } from 'node:fs'
import type { ChildProcess } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { recordCycle, type HostCycle } from '../../src/state/cycles.js'
import { createRun, finishRun, setRunHost } from '../../src/state/runs.js'
import { StateStore } from '../../src/state/store.js'
import { cleanEnv, start } from '../cli/support.js'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const ARTIFACTS = join(REPO, 'test-artifacts')
export const DESKTOP = { width: 1280, height: 800 }
export const PHONE = { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }

/** A rogue's command line carrying markup and script, as a host could report it. */
export const XSS = `/usr/bin/python3 -c "<img src=x onerror=\\"window.__pwned=1;document.title='pwned'\\">" </script><script>window.__pwned=2</script>`

export function freshStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'tend-page-'))
}

export function artifactsDir(): string {
  mkdirSync(ARTIFACTS, { recursive: true })
  return ARTIFACTS
}

const MINUTE = 60_000

export function okCycle(host: string, startedAt: number, runId = 'watch-1'): HostCycle {
  return { runId, host, startedAt, durationMs: 180 + (startedAt % 97), outcome: 'ok', changes: [], evidence: [{ task: 'port 8000 is owned by scidex-api.service', status: 'ok', result: { listeners: [{ pid: 412, unit: 'scidex-api.service' }] } }] }
}

export function evictionCycle(host: string, startedAt: number, pid: number, command: string): HostCycle {
  return {
    runId: 'watch-1', host, startedAt, durationMs: 2400, outcome: 'corrected',
    changes: [
      { task: ':8000 is owned by scidex-api.service', summary: `evict pid ${pid} (${command}, outside systemd: /user.slice/user-0.slice/session-4.scope) from :8000 — SIGTERM, SIGKILL after 10s` },
      { task: ':8000 is owned by scidex-api.service', summary: 'reset-failed, then restart scidex-api.service so it listens on :8000' },
    ],
    evidence: [{ task: ':8000 is owned by scidex-api.service', status: 'changed', result: { listeners: [{ pid, command, cgroup: '/user.slice/user-0.slice/session-4.scope' }] } }],
  }
}

/** `hosts` hosts with a few hours of ok cycles, one failed host, a few corrections: a fleet to look at. */
export function seedFleet(store: StateStore, hosts: readonly string[], now = Date.now()): void {
  createRun(store, { id: 'watch-1', kind: 'watch', playbook: 'playbooks/api-recover.yaml', startedAt: now - 6 * 60 * MINUTE, status: 'running', controller: 'ctl', pid: 4242, plan: { groups: { web: hosts.slice(0, 2), db: hosts.slice(2) } } })
  store.db.transaction(() => {
    for (const [i, host] of hosts.entries()) {
      for (let t = now - 5 * 60 * MINUTE + i * 1000; t < now - MINUTE; t += 30 * MINUTE) recordCycle(store, okCycle(host, t))
    }
  })()
}

export function seedHaltedRollout(store: StateStore, hosts: readonly string[], now = Date.now()): string {
  const id = 'r-2026-halted'
  createRun(store, { id, kind: 'run', playbook: 'playbooks/api-recover.yaml', startedAt: now - 10 * MINUTE, status: 'running', controller: 'ctl', pid: 999,
    // The frozen plan as src/rollout/plan.ts writes it (the fields the page reads).
    plan: { version: 1, playbook: 'playbooks/api-recover.yaml', plays: [{ name: 'api recover', hosts, batches: hosts.map((h) => [h]), rollout: { error_budget: 0 }, errorBudget: 0, gates: ['routes answer 200'] }] } })
  hosts.forEach((host, i) => setRunHost(store, id, { play: 0, host, batch: i + 1, status: i === 0 ? 'ok' : i === 1 ? 'failed' : 'pending', ...(i === 1 && { message: 'port 8000: held by pid 77 in unit other.service' }) }))
  finishRun(store, id, { status: 'halted', exitCode: 6, reason: `batch 2/${hosts.length}: error budget spent: 1 host failed (${hosts[1]}), the budget allows 0` })
  return id
}

/** `tend serve` on 127.0.0.1 (port 0: any free one); resolves with its URL once it listens. */
export async function startServe(stateDir: string, port = 0, extra: readonly string[] = []): Promise<{ child: ChildProcess; url: string; port: number }> {
  const child = start(['serve', '--listen', `127.0.0.1:${port}`, '--state-dir', stateDir, ...extra], REPO, cleanEnv())
  let out = ''
  let err = ''
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /tend serve: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
      if (m) resolve(m[1]!)
    })
    child.on('close', (code) => reject(new Error(`tend serve exited ${code}: ${out}${err}`)))
  })
  return { child, url, port: Number(new URL(url).port) }
}

/** Ends a process this test started, by its pid, and waits for it to go. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const gone = new Promise((resolve) => child.once('close', resolve))
  process.kill(child.pid!, 'SIGTERM')
  await gone
}

export async function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] })
}

/** A page that fails the test on any script error or CSP violation it reports. */
export async function openPage(browser: Browser, url: string, viewport = DESKTOP): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage()
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
  await page.setViewport(viewport)
  await page.goto(url, { waitUntil: 'load' })
  return { page, errors }
}

/** Text of the fleet row of `host` (its state cell), or undefined while it is not shown. */
export async function rowState(page: Page, host: string): Promise<string | undefined> {
  return page.evaluate((h) => document.querySelector(`tr[data-host="${CSS.escape(h)}"]`)?.getAttribute('data-state') ?? undefined, host)
}

export { StateStore, recordCycle, setRunHost }
