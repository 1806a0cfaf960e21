/**
 * The page's own files (HTML, CSS, ES modules), served as they are: no build step. They live in
 * src/web/static/ beside this file; `npm run build` copies them to dist/bundle/static/, which is
 * beside the bundled code, so `./static/` relative to this module finds them in both layouts.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { projectRoot } from '../project-root.js'
import { sendBody } from './respond.js'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
}

interface StaticFile { readonly body: Buffer; readonly type: string; readonly etag: string }

export function staticDir(): string {
  const beside = fileURLToPath(new URL('./static/', import.meta.url))
  return existsSync(beside) ? beside : join(projectRoot(), 'src', 'web', 'static')
}

/** Every file of the static dir, read once: the set of names is fixed, so no path from a URL reaches the disk. */
export function loadStaticFiles(dir = staticDir()): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>()
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)]
    if (type === undefined) continue
    const body = readFileSync(join(dir, name))
    files.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` })
  }
  return files
}

export function sendStatic(req: IncomingMessage, res: ServerResponse, file: StaticFile): void {
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, { ETag: file.etag })
    res.end()
    return
  }
  // Revalidated each time (the ETag makes it a 304): a new tend never runs an old script.
  sendBody(req, res, 200, file.type, file.body, { ETag: file.etag, 'Cache-Control': 'no-cache' })
}
