/**
 * The nunjucks peer of the render scenario (bench/render.ts): nunjucks itself, configured as tend's
 * nunjucks engine was (autoescape off, throwOnUndefined), in a process of its own, so tend's closed
 * runtime (src/playbook/sandbox.ts patches nunjucks' shared one) never applies here. The same line
 * protocol as templar.py: one JSON request a line, {"template", "vars", "seconds", "warmSeconds"},
 * one JSON answer a line.
 *
 * - per-render: `renderString` (compiles every time), as tend's engine called it.
 * - compiled-once: one `Template`, rendered again: what a compiler's render costs without compiling.
 *
 * Plain JavaScript, not TypeScript: nunjucks (and its types) leave the dependencies with the
 * interpreter; this peer then reports itself missing, and the type check does not break.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'

const require = createRequire(import.meta.url)
const nunjucks = require('nunjucks')
const { parse } = require('yaml')
const version = require('nunjucks/package.json').version

// The two filters the template uses that nunjucks lacks (Ansible's semantics).
const extraFilters = {
  bool: (value) => typeof value === 'boolean' ? value : ['yes', 'on', '1', 'true', 'y'].includes(String(value).trim().toLowerCase()),
  unique: (value) => [...new Set(value)],
}
const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true })
for (const [name, fn] of Object.entries(extraFilters)) env.addFilter(name, fn)

const loaded = new Map()
function load(request) {
  const key = `${request.template}\0${request.vars}`
  if (!loaded.has(key)) {
    loaded.set(key, { text: readFileSync(request.template, 'utf8'), vars: parse(readFileSync(request.vars, 'utf8')) })
  }
  return loaded.get(key)
}

function rate(render, seconds, warmSeconds) {
  const output = render()
  const warmUntil = performance.now() + warmSeconds * 1000
  while (performance.now() < warmUntil) render()
  let count = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  for (;;) {
    render()
    count++
    const now = performance.now()
    if (now >= deadline) return { renders: count, seconds: (now - started) / 1000, rendersPerSecond: count / ((now - started) / 1000), output }
  }
}

function measure(request) {
  const { text, vars } = load(request)
  const rows = {}
  const ways = {
    'per-render': () => env.renderString(text, { ...vars }),
    'compiled-once': (() => {
      let compiled
      return () => (compiled ??= nunjucks.compile(text, env)).render({ ...vars })
    })(),
  }
  for (const [name, render] of Object.entries(ways)) {
    try {
      rows[name] = rate(render, Number(request.seconds), Number(request.warmSeconds ?? 0.2))
    } catch (error) {
      rows[name] = { error: String(error instanceof Error ? error.message : error).replace(/\s+/g, ' ').slice(0, 300) }
    }
  }
  return { versions: { nunjucks: version, node: process.version }, rows }
}

for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() === '') continue
  let answer
  try {
    answer = measure(JSON.parse(line))
  } catch (error) {
    answer = { error: String(error) }
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`)
}
