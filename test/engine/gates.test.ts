import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { ExitCode } from '../../src/exit-codes.js'
import { run, scene, taskEnds } from './harness.js'

/** A real loopback HTTP server answering `status` to every request. */
async function serve(status: number, port = 0, hits = { count: 0 }): Promise<Server> {
  const server = createServer((_, res) => {
    hits.count++
    res.writeHead(status).end('x')
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return server
}

const gate = (port: number, within: number) => `
- hosts: all
  tasks:
    - name: answers
      http: { url: "http://127.0.0.1:${port}", routes: ["/"], within: ${within} }
`

test('a gate polls until its condition holds (a server that comes up late), also under --check', async () => {
  const probe = await serve(200)
  const port = (probe.address() as AddressInfo).port
  await new Promise((resolve) => probe.close(resolve))
  let late: Server | undefined
  const hits = { count: 0 }
  const timer = setTimeout(async () => (late = await serve(200, port, hits)), 1200)
  try {
    const at = await scene(['h1'])
    const ran = await run(at, gate(port, 10), { check: true })
    const [end] = taskEnds(ran)
    assert.equal(end?.status, 'ok')
    assert.ok(hits.count >= 1, 'the gate passed on the late server\'s answer: it kept polling until the server was up')
    assert.equal(ran.summary.exitCode, ExitCode.ok)
  } finally {
    clearTimeout(timer)
    late?.close()
  }
})

test('a gate that never holds fails at its window, listing what is wrong', async () => {
  const hits = { count: 0 }
  const server = await serve(500, 0, hits)
  try {
    const at = await scene(['h1'])
    const ran = await run(at, gate((server.address() as AddressInfo).port, 1))
    const [end] = taskEnds(ran)
    assert.equal(end?.status, 'failed')
    assert.match(end?.message ?? '', /500/)
    assert.ok(hits.count >= 1, 'it asked before giving up')
    assert.equal(ran.summary.exitCode, ExitCode.hostFailed)
  } finally {
    server.close()
  }
})
