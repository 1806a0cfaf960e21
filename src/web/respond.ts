/**
 * Response helpers shared by the page's routes: the security headers every response carries, JSON
 * (gzip when the client takes it), and errors as plain text.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { gzipSync } from 'node:zlib'

/**
 * No inline script or style, no eval, nothing from another origin, no framing; Trusted Types
 * make any `innerHTML = string` throw, so host data can only ever become text nodes.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "font-src 'none'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  "require-trusted-types-for 'script'", "trusted-types 'none'",
].join('; ')

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}

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
