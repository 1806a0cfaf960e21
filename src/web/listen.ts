/** `HOST:PORT` for a listener (`--listen`, `--metrics`): loopback unless an address is given. */
import { isIP } from 'node:net'

export interface ListenAddress {
  readonly host: string
  readonly port: number
}

/** `PORT`, `:PORT`, `HOST:PORT` or `[V6]:PORT`; port 0 asks the system for a free one. */
export function parseListen(value: string, defaultHost = '127.0.0.1'): ListenAddress | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value)
  if (match === null) return undefined
  const port = Number(match[3])
  if (port > 65535) return undefined
  const host = match[1] || match[2] || defaultHost
  return { host, port }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))
}

/** A URL for people to open (IPv6 in brackets). */
export function urlOf(address: ListenAddress): string {
  return `http://${isIP(address.host) === 6 ? `[${address.host}]` : address.host}:${address.port}/`
}
