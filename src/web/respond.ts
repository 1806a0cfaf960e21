/**
 * Response helpers shared by the page's routes (the security headers are the listener's: src/http/listen.ts): JSON
 * (gzip when the client takes it), and errors as plain text.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { gzipSync } from 'node:zlib'

export function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))
}

export function sendBody(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer, extra: Record<string, string> = {}): void {
  const gzip = body.length > 1024 && acceptsGzip(req)
  const payload = gzip ? gzipSync(body) : body
  res.writeHead(status, {
    'Content-Type': type, 'Content-Length': String(payload.length), Vary: 'Accept-Encoding',
    ...(gzip && { 'Content-Encoding': 'gzip' }), ...extra,
  })
  res.end(req.method === 'HEAD' ? undefined : payload)
}

export function sendJson(req: IncomingMessage, res: ServerResponse, value: unknown, status = 200): void {
  sendBody(req, res, status, 'application/json; charset=utf-8', Buffer.from(JSON.stringify(value)), { 'Cache-Control': 'no-store' })
}

export function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string): void {
  sendBody(req, res, status, 'text/plain; charset=utf-8', Buffer.from(text + '\n'), { 'Cache-Control': 'no-store' })
}
