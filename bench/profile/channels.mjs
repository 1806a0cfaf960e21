// Counts SSH channels tend opens (exec and direct-tcpip), per connection, printing them at exit:
//   node --import ./bench/profile/channels.mjs dist/bundle/main.js run … 2>channels.txt
// A preload, not a change to tend: it wraps ssh2's Client methods in this process only.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { Client } = require('ssh2')
const started = performance.now()
const log = []
const at = () => (performance.now() - started).toFixed(0).padStart(6)

const wrap = (name, describe) => {
  const original = Client.prototype[name]
  Client.prototype[name] = function (...args) {
    log.push(`${at()} ms ${this.config?.host ?? '?'} ${name} ${describe(args)}`)
    return original.apply(this, args)
  }
}
wrap('connect', () => '')
wrap('exec', (args) => String(args[0]).replace(/\s+/g, ' ').slice(0, 160))
wrap('forwardOut', (args) => `${args[2]}:${args[3]}`)

process.on('exit', () => {
  const counts = {}
  for (const line of log) {
    const [, , , host, kind] = line.trim().split(/\s+/)
    counts[`${host} ${kind}`] = (counts[`${host} ${kind}`] ?? 0) + 1
  }
  process.stderr.write(`${log.join('\n')}\n${JSON.stringify(counts, null, 1)}\n`)
})
