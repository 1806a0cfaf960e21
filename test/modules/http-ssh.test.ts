/** The http gate through the ssh transport on a real test host: requests leave from the host itself. */
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { http } from '../../src/modules/http.js'
import type { HttpSpec } from '../../src/modules/http.js'
import type { ModuleContext } from '../../src/modules/types.js'
import type { Transport } from '../../src/transport/types.js'
import { ROUTE_500 } from '../../src/testbed/index.js'
import { leaseHost, stage, type TestHost } from '../support/testbed.js'
import { shQuote } from '../../src/transport/quote.js'
import { contextFor, sshTo } from './file-support.js'

const ROUTES = ['/', '/exchange', '/gaps', '/graph', '/analyses', '/atlas', '/how.html', '/pitch.html', '/trem2-3d.html', '/atlas.html']

let host: TestHost
let ssh: Transport
let ctx: ModuleContext

before(async () => {
  host = await leaseHost()
  ssh = await sshTo(host)
  ctx = await contextFor(ssh)
})
after(() => ssh?.close())

const problems = async (spec: HttpSpec) => http.diff(spec, await http.probe(ctx, spec)).map((p) => p.summary)

test('http over ssh: all ten routes of the app on the host answer 200, twice', async () => {
  const spec: HttpSpec = { url: 'http://127.0.0.1:8000', routes: ROUTES }
  assert.deepEqual(await problems(spec), [])
  assert.deepEqual(await problems(spec), [])
})

test('http over ssh reaches a server that listens only on the host\'s own loopback', async () => {
  // A file only this host has, served only on its loopback: a 200 for it can only come from there.
  const marker = `tend-marker-${process.pid}`
  const started = await host.sh(`mkdir -p /tmp/www && touch /tmp/www/${marker} && cd /tmp/www && setsid nohup python3 -m http.server --bind 127.0.0.1 8099 >/dev/null 2>&1 </dev/null & echo $!
i=0; until ss -ltnH 'sport = :8099' | grep -q .; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done`)
  assert.equal(started.exitCode, 0, started.stderr)
  try {
    assert.deepEqual(await problems({ url: 'http://127.0.0.1:8099', routes: [`/${marker}`] }), [])
  } finally {
    await host.sh(`kill ${Number(started.stdout.trim())}`)
  }
})

test('http over ssh names the route that answers 500', async () => {
  await stage(host, 'route-500')
  assert.deepEqual(await problems({ url: 'http://127.0.0.1:8000', routes: ROUTES }), [`${ROUTE_500} answered 500, expected 200`])
})

test('http over ssh reports a closed port on the host as connection refused', async () => {
  assert.deepEqual(await problems({ url: 'http://127.0.0.1:8001', routes: ['/', '/gaps'] }), ['/ connection refused', '/gaps connection refused'])
})

test('http over ssh follows a redirect on the host to a 200 with safe, and fails on it with none', async () => {
  // A server only on the host's loopback: /how redirects (301) to /how.html, which answers 200.
  const server = `import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/how': self.send_response(301); self.send_header('Location', '/how.html'); self.send_header('Content-Length', '0'); self.end_headers(); return
        body = b'the page'; self.send_response(200 if self.path == '/how.html' else 404); self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(('127.0.0.1', 8098), H).serve_forever()
`
  const started = await host.sh(`setsid nohup python3 -c ${shQuote(server)} >/dev/null 2>&1 </dev/null & echo $!
i=0; until ss -ltnH 'sport = :8098' | grep -q .; do i=$((i+1)); [ $i -lt 50 ] || exit 1; sleep 0.1; done`)
  assert.equal(started.exitCode, 0, started.stderr)
  try {
    assert.deepEqual(await problems({ url: 'http://127.0.0.1:8098', routes: ['/how'], contains: 'the page' }), [])
    assert.deepEqual(await problems({ url: 'http://127.0.0.1:8098', routes: ['/how'], follow_redirects: 'none' }), [
      '/how answered 301, expected 200 (redirects: /how 301 → /how.html (not followed: follow_redirects is none))',
    ])
  } finally {
    await host.sh(`kill ${Number(started.stdout.trim())}`)
  }
})
