/** Listener addresses for people and for the loopback check (parsing is src/watch/http.ts's parseListen). */
import { isIP } from 'node:net'

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))
}

/** A URL for people to open (IPv6 in brackets). */
export function urlOf(address: { readonly host: string; readonly port: number }): string {
  return `http://${isIP(address.host) === 6 ? `[${address.host}]` : address.host}:${address.port}/`
}
