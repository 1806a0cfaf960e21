/** The built bundle (`npm run build`) serves the page: its static files travel with it, the store's native module stays external. */
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanEnv } from '../cli/support.js'
import { REPO, StateStore, freshStateDir, okCycle, recordCycle, stopProcess } from './support.js'

test('tend serve from dist/bundle serves the page, its assets and the fleet', async () => {
  // --if-stale: never replaces a current bundle other tend processes may be running from.
  execFileSync(join(REPO, 'scripts', 'build'), ['--if-stale'], { cwd: REPO, stdio: 'inherit' })
  const dir = freshStateDir()
  const store = StateStore.open(dir)
  recordCycle(store, okCycle('web-1', Date.now()))
  store.close()
  const child = spawn(process.execPath, [join(REPO, 'dist', 'bundle', 'main.js'), 'serve', '--listen', '127.0.0.1:0', '--state-dir', dir],
    { cwd: REPO, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out); if (m) resolve(m[1]!) })
      child.stderr.on('data', (d: Buffer) => { out += d.toString() })
      child.on('close', (code) => reject(new Error(`exited ${code}: ${out}`)))
    })
    assert.match(await (await fetch(url)).text(), /<script type="module" src="\/assets\/app.js">/)
    for (const asset of ['app.js', 'fleet.js', 'style.css']) assert.equal((await fetch(`${url}assets/${asset}`)).status, 200, asset)
    const fleet = await (await fetch(`${url}api/fleet`)).json() as { hosts: { host: string; state: string }[] }
    assert.deepEqual(fleet.hosts.map((h) => [h.host, h.state]), [['web-1', 'converged']])
  } finally {
    await stopProcess(child)
  }
})
