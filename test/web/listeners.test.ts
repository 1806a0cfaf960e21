/**
 * Every HTTP listener tend opens is the same one (src/http/listen.ts): `tend serve`, `tend watch
 * --metrics` and `tend worker --metrics`. Each, bound to loopback, refuses a request that names
 * another Host (DNS rebinding: 421, nothing read) and sends the security headers on every answer.
 */
import assert from 'node:assert/strict'
import type { ChildProcess } from 'node:child_process'
import { request } from 'node:http'
import { after, test } from 'node:test'
import { cleanEnv, project, start } from '../cli/support.js'
import { freePort, startRedis } from '../support/redis.js'
import { startWatch } from '../watch/process.js'
import { REPO, StateStore, freshStateDir, seedFleet, startServe, stopProcess } from './support.js'

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string | string[] | undefined>>
  readonly body: string
}

/** GET `url` with the Host header given (fetch may not set Host; node:http may). */
function get(url: string, host?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host === undefined ? {} : { Host: host } }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on('error', reject).end()
  })
}

/** What a user would check of one listener: a foreign Host gets nothing, a loopback one the page, both with the headers. */
async function assertGuarded(base: string, path: string, expectBody: RegExp): Promise<void> {
  const port = new URL(base).port
  const foreign = await get(`${base}${path}`, `rebind.attacker.example:${port}`)
  assert.equal(foreign.status, 421, `${path} with a foreign Host`)
  assert.doesNotMatch(foreign.body, expectBody, 'a foreign Host must read nothing')
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
    const own = await get(`${base}${path}`, host)
    assert.equal(own.status, 200, `${path} with Host ${host}: ${own.body}`)
    assert.match(own.body, expectBody)
  }
  for (const answer of [foreign, await get(`${base}${path}`), await get(`${base}/no-such-page`)]) {
    assert.equal(answer.headers['x-content-type-options'], 'nosniff')
    assert.equal(answer.headers['x-frame-options'], 'DENY')
    assert.equal(answer.headers['referrer-policy'], 'no-referrer')
    assert.match(String(answer.headers['content-security-policy']), /default-src 'self'/)
  }
}

const running = new Set<ChildProcess>()
after(async () => {
  for (const child of running) await stopProcess(child)
})

test('tend serve: a foreign Host is refused (421), every answer carries the security headers', async () => {
  const stateDir = freshStateDir()
  const store = StateStore.open(stateDir)
  seedFleet(store, ['web-1'])
  store.close()
  const serve = await startServe(stateDir)
  running.add(serve.child)
  await assertGuarded(serve.url.replace(/\/$/, ''), '/api/fleet', /web-1/)
})

test('tend watch --metrics: the same guard on /metrics, /healthz and the mounted fleet page', async () => {
  const dir = await project({
    'pb.yaml': '- hosts: all\n  tasks:\n    - name: noop\n      command: "true"\n',
    'inv.yaml': 'all:\n  hosts:\n    one: { ansible_connection: local }\n',
  })
  const port = await freePort()
  const watch = startWatch(dir, ['pb.yaml', '-i', 'inv.yaml', '--every', '2s', '--metrics', `127.0.0.1:${port}`])
  running.add(watch.child)
  await watch.waitFor('a cycle of one', (e) => e.type === 'cycle-end' && e.host === 'one')
  const base = (await watch.metricsUrl()).replace(/\/(metrics)?$/, '')
  await assertGuarded(base, '/metrics', /tend_host_runs_total\{host="one"/)
  await assertGuarded(base, '/healthz', /^(?!this listener).+/)
  await assertGuarded(base, '/api/fleet', /"one"/)
  watch.child.kill('SIGTERM')
  assert.equal(await watch.exited, 0, watch.stderr())
})

test('tend worker --metrics: the same guard on /metrics and /healthz', async () => {
  const redis = await startRedis()
  after(() => redis.dispose())
  const port = await freePort()
  const worker = start(['worker', '--queue', redis.url, '--name', 'w-guard', '--metrics', `127.0.0.1:${port}`], REPO, cleanEnv())
  redis.track(worker)
  running.add(worker)
  await new Promise<void>((resolve, reject) => {
    let text = ''
    worker.stderr?.on('data', (d: Buffer) => {
      text += d.toString()
      if (/taking jobs/.test(text)) resolve()
    })
    worker.once('exit', (code) => reject(new Error(`worker exited ${code}: ${text}`)))
  })
  const base = `http://127.0.0.1:${port}`
  await assertGuarded(base, '/metrics', /tend_queue_jobs\{state="waiting"\} 0/)
  await assertGuarded(base, '/healthz', /^ok$/m)
})
