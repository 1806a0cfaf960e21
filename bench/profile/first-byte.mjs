// Start-up of one tend process, printed to stderr at exit (a preload, not a change to tend):
//   node --import ./bench/profile/first-byte.mjs dist/bundle/main.js run … 2>startup.txt
// - first byte: ms from process start to the first byte tend sends toward a host: the first
//   net.Socket write or connect (ssh2), or the first child process spawned (local transport);
// - modules: the ES modules (bundle chunks, or sources under tsx) and CommonJS files loaded,
//   so a change that pulls ajv, ssh2 or listr2 back onto a path shows up as a count and a name.
//   (with TEND_STARTUP_MODULES=1 only: the loader hook that counts them slows start-up itself);
// TEND_STARTUP_LIST=1 also lists every module loaded.
import childProcess from 'node:child_process'
import { createRequire, register } from 'node:module'
import net from 'node:net'
import { MessageChannel } from 'node:worker_threads'

const sinceStart = () => performance.now() // performance's origin is the process start
let firstByte
const mark = (what) => {
  if (firstByte === undefined) firstByte = { ms: sinceStart(), what }
}

for (const name of ['write', 'connect']) {
  const original = net.Socket.prototype[name]
  net.Socket.prototype[name] = function (...args) {
    // stdout/stderr on a pipe are sockets too: only the host's count.
    if (this !== process.stdout && this !== process.stderr) mark(`socket ${name}`)
    return original.apply(this, args)
  }
}
// zx's local transport spawns; ChildProcess.spawn underlies spawn/exec/execFile.
const spawn = childProcess.ChildProcess.prototype.spawn
childProcess.ChildProcess.prototype.spawn = function (...args) {
  mark(`spawn ${args[0]?.file ?? ''}`)
  return spawn.apply(this, args)
}

// ES modules: a load hook on the loader thread (loaded-hooks.mjs) posts each loaded URL back here.
const esm = []
const { port1, port2 } = new MessageChannel()
port1.on('message', (m) => esm.push(m))
port1.unref()
const counting = process.env.TEND_STARTUP_MODULES === '1' || process.env.TEND_STARTUP_LIST === '1'
if (counting) register('./loaded-hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] })

process.on('exit', () => {
  const cjs = Object.keys(createRequire(import.meta.url).cache)
  const own = esm.filter((m) => !m.url.startsWith('data:'))
  const packageOf = (file) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? 'tend'
  const packages = new Set([...own.flatMap((m) => [...m.packages, packageOf(m.url)]), ...cjs.map(packageOf)])
  const line = {
    firstByteMs: firstByte === undefined ? null : Math.round(firstByte.ms),
    firstByte: firstByte?.what ?? 'none',
    exitMs: Math.round(sinceStart()),
    ...(counting ? { esm: own.length, cjs: cjs.length, packages: [...packages].sort() } : {}),
  }
  process.stderr.write(`startup ${JSON.stringify(line)}\n`)
  if (process.env.TEND_STARTUP_LIST === '1') process.stderr.write(`${[...own.map((m) => `${m.url} ${m.packages.join(' ')}`), ...cjs].join('\n')}\n`)
})
