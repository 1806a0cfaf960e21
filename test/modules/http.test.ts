import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { once } from 'node:events'
import { http } from '../../src/modules/http.js'
import type { HttpSpec } from '../../src/modules/http.js'
import { localContext } from './file-support.js'

/** A real HTTP server on 127.0.0.1: 200 on most routes, 500 on /broken, 421 to a request without
 *  the right Host header. /slow answers only after /release; /par* answer only once three of them
 *  are in flight at the same time (500 if not within 8 s): the tests assert order, not durations.
 *  /redirect 302 → /target, /chain 301 → /redirect, /loop 302 → /loop, /away?PORT 302 → the same
 *  server kind on another port. */
const SERVER = `
import http.server, sys, threading
release = threading.Event()
together = threading.Barrier(3)
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == '/release': release.set()
        if self.path == '/slow': release.wait(60)
        if self.path.startswith('/par'):
            try: together.wait(8)
            except threading.BrokenBarrierError:
                together.reset(); self.path = '/broken'
        moves = {'/redirect': (302, '/target'), '/chain': (301, '/redirect'), '/loop': (302, '/loop')}
        if self.path.startswith('/away?'): moves[self.path] = (302, 'http://127.0.0.1:%s/target' % self.path[6:])
        if self.path in moves:
            self.send_response(moves[self.path][0]); self.send_header('Location', moves[self.path][1])
            self.send_header('Content-Length', '0'); self.end_headers(); return
        code = 500 if self.path == '/broken' else 404 if self.path == '/missing' else 200
        if self.headers.get('Host') != '127.0.0.1:%d' % self.server.server_address[1]: code = 421
        body = (self.path + ' host=' + str(self.headers.get('Host'))).encode()
        self.send_response(code); self.send_header('Content-Length', str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
    def handle(self):
        try: super().handle()
        except BrokenPipeError: pass  # the timeout test hangs up on /slow on purpose
s = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
`

let server: ChildProcess
let base = ''
const ctx = await localContext()

before(async () => {
  server = spawn('python3', ['-c', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] })
  const [chunk] = (await once(server.stdout!, 'data')) as [Buffer]
  base = `http://127.0.0.1:${chunk.toString().trim()}`
})
after(() => server.kill())

async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address() as { port: number }
  probe.close()
  await once(probe, 'close')
  return port
}

const problems = async (spec: HttpSpec) => http.diff(spec, await http.probe(ctx, spec)).map((p) => p.summary)

test('http passes when every route answers 200, and says so twice', async () => {
  const spec: HttpSpec = { url: base, routes: ['/', '/exchange', '/gaps', '/graph', '/atlas.html'] }
  assert.deepEqual(await problems(spec), [])
  assert.deepEqual(await problems(spec), [])
})

test('http names the route that answered 500 and what was expected', async () => {
  assert.deepEqual(await problems({ url: base, routes: ['/', '/broken', '/gaps'] }), ['/broken answered 500, expected 200'])
})

test('http accepts any status of a list', async () => {
  assert.deepEqual(await problems({ url: base, routes: ['/missing', '/'], status: [200, 404] }), [])
  assert.deepEqual(await problems({ url: base, routes: ['/'], status: [301, 302] }), ['/ answered 200, expected 301 or 302'])
})

test('http reports a closed port as connection refused', async () => {
  assert.deepEqual(await problems({ url: `http://127.0.0.1:${await closedPort()}` }), ['/ connection refused'])
})

test('http gives up on a slow route after its timeout, without waiting for the others', async () => {
  // /slow has not answered (it waits for /release, asked only afterwards) when the probe returns.
  const spec: HttpSpec = { url: base, routes: ['/slow', '/'], timeout: 0.5 }
  assert.deepEqual(await problems(spec), ['/slow no answer within 0.5s'])
  assert.deepEqual(await problems({ url: base, routes: ['/release'] }), [])
})

test('http asks routes in parallel', async () => {
  // Each /par route answers only while all three are in flight together.
  const spec: HttpSpec = { url: base, routes: ['/par', '/par?b', '/par?c'], timeout: 20 }
  assert.deepEqual(await problems(spec), [])
})

test('http facts hold the status of each route', async () => {
  const answers = await http.probe(ctx, { url: base, routes: ['/', '/broken'] })
  assert.deepEqual(http.facts?.(answers), { status: { '/': 200, '/broken': 500 }, errors: {} })
})

test('http sends the URL host as Host header and prefixes routes with the URL path', async () => {
  const answers = await http.probe(ctx, { url: `${base}/app`, routes: ['/broken'] })
  assert.deepEqual(answers.map((a) => [a.route, a.outcome === 'status' && a.status]), [['/broken', 200]], '/app/broken is not /broken')
  assert.equal(answers[0]?.outcome === 'status' && answers[0].body, '/app/broken host=' + base.slice('http://'.length))
})

test('http follows a redirect within the host by default (safe), and fails on it with none, showing the chain', async () => {
  assert.deepEqual(await problems({ url: base, routes: ['/redirect', '/chain'] }), [])
  assert.deepEqual(await problems({ url: base, routes: ['/chain'], follow_redirects: 'none' }), [
    '/chain answered 301, expected 200 (redirects: /chain 301 → /redirect (not followed: follow_redirects is none))',
  ])
  assert.deepEqual(await problems({ url: base, routes: ['/redirect'], status: 302, follow_redirects: 'none' }), [])
})

test('http follows a redirect to another host only with follow_redirects: all', async () => {
  const other = spawn('python3', ['-c', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const port = ((await once(other.stdout!, 'data')) as [Buffer])[0].toString().trim()
    assert.deepEqual(await problems({ url: base, routes: [`/away?${port}`] }), [
      `/away?${port} answered 302, expected 200 (redirects: /away?${port} 302 → http://127.0.0.1:${port}/target (not followed: another host (follow_redirects: all would)))`,
    ])
    assert.deepEqual(await problems({ url: base, routes: [`/away?${port}`], follow_redirects: 'all', contains: `host=127.0.0.1:${port}` }), [])
  } finally {
    other.kill()
  }
})

test('http gives up after a bounded number of redirects', async () => {
  const [problem] = await problems({ url: base, routes: ['/loop'] })
  assert.match(problem ?? '', /^\/loop more than 10 redirects \(redirects: \/loop 302 → (\/loop 302 → ){9}\/loop 302\)$/)
})

test('http checks bodies with contains and matches, globally or per route, and shows a failing body truncated', async () => {
  assert.deepEqual(await problems({ url: base, routes: ['/gaps', '/graph'], contains: 'host=127.0.0.1', matches: '^/g' }), [])
  assert.deepEqual(await problems({
    url: base,
    contains: 'host=',
    routes: ['/gaps', { path: '/graph', contains: 'release=2' }, { path: '/atlas', matches: '^/x' }, { path: '/broken', status: 500 }],
  }), [
    `/graph body does not contain "release=2": ${JSON.stringify(`/graph host=${base.slice(7)}`)}`,
    `/atlas body does not match /^/x/: ${JSON.stringify(`/atlas host=${base.slice(7)}`)}`,
  ])
  const long = '/' + 'x'.repeat(300)
  const [problem] = await problems({ url: base, routes: [long], contains: 'nowhere' })
  assert.equal(problem, `${long} body does not contain "nowhere": ${JSON.stringify(`${long.slice(0, 200)}…`)}`)
})

test('http refuses an invalid matches expression, naming it', async () => {
  await assert.rejects(http.probe(ctx, { url: base, matches: '(' }), /matches: invalid regular expression "\("/)
})
