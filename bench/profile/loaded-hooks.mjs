// Loader hooks of first-byte.mjs (they run on the loader thread): each loaded module's URL and the
// npm packages bundled into it (esbuild marks each bundled file with a `// node_modules/PKG/…` comment).
let port
export function initialize(data) {
  port = data.port
}
export async function load(url, context, next) {
  const result = await next(url, context)
  if (url.startsWith('node:') || url.startsWith('data:')) return result
  const text = typeof result.source === 'string' ? result.source : result.source ? new TextDecoder().decode(result.source) : ''
  const packages = [...new Set([...text.matchAll(/^\/\/ (?:\S*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)].map((m) => m[1]))]
  port.postMessage({ url, packages })
  return result
}
