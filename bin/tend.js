#!/usr/bin/env node
// Starts the CLI: the compiled dist/ when a complete `npm run build` is at least as new as every
// source file, else the TypeScript sources through tsx (a checkout after `npm ci` works without a
// build step). The build writes dist/.complete last and removes it first, so a build in progress
// or an interrupted one is never run.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const compiled = join(root, 'dist', 'bundle', 'main.js')
const complete = join(root, 'dist', '.complete')

/** Newest modification time under a directory (a few hundred stats: about a millisecond). */
function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const mtime = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs
    if (mtime > newest) newest = mtime
  }
  return newest
}

function compiledIsCurrent() {
  if (!existsSync(complete) || !existsSync(compiled)) return false
  return statSync(complete).mtimeMs >= newestMtime(join(root, 'src'))
}

if (compiledIsCurrent()) {
  await import(pathToFileURL(compiled).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(join(root, 'src', 'cli', 'main.ts')).href)
}
