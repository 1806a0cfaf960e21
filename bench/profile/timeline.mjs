// The profile mode's timeline recorder (npm run bench -- --profile), a preload, not a change to tend:
//   TEND_PROFILE_TIMELINE=out.json node --import ./bench/profile/timeline.mjs dist/bundle/main.js run …
// It records, in milliseconds since the process started (performance.now()), node's own boot
// marks, tend's `tend:*` performance marks, every TCP connect, ssh2's handshake steps, every
// channel tend opens and every command written to / answered by a channel, and tend's --json
// engine events as they are written; at exit it writes them all as one JSON file.
// ssh2 is patched when tend first loads it (not loaded here: that would move its load cost).
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const Module = require('node:module')
const net = require('node:net')
const out = process.env.TEND_PROFILE_TIMELINE
const events = []
const at = () => Math.round(performance.now() * 1000) / 1000
const record = (kind, fields) => events.push({ t: at(), kind, ...fields })

// Engine events: tend's --json renderer writes one JSON object per line on stdout.
const ENGINE_TYPES = new Set(['run-start', 'play-start', 'task-start', 'task-end', 'host-end', 'play-end', 'recap', 'run-end'])
const stdoutWrite = process.stdout.write.bind(process.stdout)
let partial = ''
process.stdout.write = (chunk, ...rest) => {
  partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')
  const lines = partial.split('\n')
  partial = lines.pop() ?? ''
  for (const line of lines) {
    try {
      const e = JSON.parse(line)
      if (!ENGINE_TYPES.has(e.type)) continue
      record('engine', { type: e.type, host: e.host, task: e.task, status: e.status, durationMs: e.durationMs })
    } catch {
      // not an event line
    }
  }
  return stdoutWrite(chunk, ...rest)
}

// TCP: every connect and when it is established (ssh2's sockets, and any other).
const connect = net.Socket.prototype.connect
net.Socket.prototype.connect = function (...args) {
  const o = typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] }
  const peer = `${o.host ?? 'localhost'}:${o.port}`
  if (o.path === undefined) {
    record('tcp-connect', { peer })
    this.once('connect', () => record('tcp-connected', { peer }))
  }
  return connect.apply(this, args)
}

let channelIds = 0
/** A channel's writes are commands (pooled shells) and its data their answers. */
function watchChannel(stream, conn, open, detail) {
  const ch = ++channelIds
  record('channel-open', { conn, ch, open, detail })
  const write = stream.write
  stream.write = function (chunk, ...rest) {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1')
    const token = /__tend_end_([0-9a-f]+)/.exec(text)?.[1]
    record('send', { conn, ch, bytes: text.length, token, preview: text.slice(0, 100) })
    return write.call(this, chunk, ...rest)
  }
  // Arrivals are seen where ssh2 pushes them into the stream: a 'data' listener here would switch
  // the stream to flowing before tend listens, and tend would miss what arrives in between.
  const push = stream.push
  stream.push = function (chunk, ...rest) {
    if (chunk !== null && chunk !== undefined) {
      const tokens = [...Buffer.from(chunk).toString('latin1').matchAll(/__tend_end_([0-9a-f]+) \d+\n/g)].map((m) => m[1])
      record('recv', { conn, ch, bytes: chunk.length, ...(tokens.length > 0 && { tokens }) })
    }
    return push.call(this, chunk, ...rest)
  }
  stream.once('exit', () => record('channel-exit', { conn, ch }))
  stream.once('close', () => record('channel-close', { conn, ch }))
}

// ssh2's handshake steps, from its debug output, until the connection is ready (~30 lines).

function patchClient(Client) {
  const conn = (client) => `${client.config?.host ?? '?'}:${client.config?.port ?? '?'}`
  const originalConnect = Client.prototype.connect
  Client.prototype.connect = function (cfg) {
    const peer = `${cfg.host}:${cfg.port}`
    let ready = false
    const debug = cfg.debug
    record('ssh-connect', { conn: peer })
    this.once('ready', () => {
      ready = true
      record('ssh-ready', { conn: peer })
      // ssh2 formats a debug line per packet while debug is set: stop that once the handshake is done.
      if (this._protocol) this._protocol._debug = undefined
    })
    this.once('close', () => record('ssh-close', { conn: peer }))
    return originalConnect.call(this, {
      ...cfg,
      debug: (message) => {
        if (!ready) record('ssh-step', { conn: peer, message })
        debug?.(message)
      },
    })
  }
  const wrapOpen = (name, describe) => {
    const original = Client.prototype[name]
    Client.prototype[name] = function (...args) {
      const cb = args.findLastIndex((a) => typeof a === 'function')
      const requested = at()
      const c = conn(this)
      if (cb >= 0) {
        const callback = args[cb]
        args[cb] = (error, stream) => {
          if (!error && stream) watchChannel(stream, c, requested, `${name} ${describe(args)}`)
          else record('channel-refused', { conn: c, open: requested, detail: `${name} ${String(error?.message)}` })
          return callback(error, stream)
        }
      }
      return original.apply(this, args)
    }
  }
  wrapOpen('exec', (args) => String(args[0]).replace(/\s+/g, ' ').slice(0, 100))
  wrapOpen('forwardOut', (args) => `${args[2]}:${args[3]}`)
}

const compileJs = Module._extensions['.js']
Module._extensions['.js'] = function (module, filename) {
  const result = compileJs.call(this, module, filename)
  if (filename.endsWith('/ssh2/lib/client.js')) patchClient(module.exports)
  return result
}

process.on('exit', (code) => {
  record('exit', { code })
  if (out === undefined) return
  const marks = performance.getEntriesByType('mark').map((m) => ({ name: m.name, t: m.startTime }))
  const n = performance.nodeTiming
  writeFileSync(out, JSON.stringify({
    node: { v8Start: n.v8Start, environment: n.environment, bootstrapComplete: n.bootstrapComplete, loopStart: n.loopStart },
    marks, events, resources: process.resourceUsage(),
  }))
})
