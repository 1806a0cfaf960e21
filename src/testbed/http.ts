import { request } from 'node:http'
import { sleep } from './exec.js'

export interface HttpAnswer {
  readonly status: number
  readonly body: string
}

/** One GET from this machine (node http), no keep-alive; rejects on connection errors. */
export function httpGet(address: string, port: number, path: string, timeoutMs = 3000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: address, port, path, method: 'GET', agent: false, timeout: timeoutMs }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`GET http://${address}:${port}${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** Polls until `accept` likes the answer or the deadline passes; returns the last answer or error. */
export async function waitForHttp(address: string, port: number, path: string, accept: (a: HttpAnswer) => boolean,
  timeoutMs: number): Promise<HttpAnswer> {
  const deadline = Date.now() + timeoutMs
  let last: HttpAnswer | Error = new Error('no answer yet')
  while (Date.now() < deadline) {
    try {
      last = await httpGet(address, port, path)
      if (accept(last)) return last
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err))
    }
    await sleep(150)
  }
  throw new Error(`http://${address}:${port}${path}: ${last instanceof Error ? last.message : `status ${last.status}: ${last.body.trim()}`} after ${timeoutMs} ms`)
}
