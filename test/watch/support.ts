/** Watch tests on test hosts: the host's lock held from outside, inventories; the watch process itself is ./process.ts. */
import { spawn } from 'node:child_process'
import { sshArgs } from '../../src/testbed/ssh.js'
import { shQuote } from '../../src/transport/quote.js'
import type { TestHost } from '../support/testbed.js'

export { eventually, getText, history, killWatch, metricValue, startWatch, type Watch } from './process.js'

/**
 * Holds the host's tend lock (the flock tend takes in /run/lock) over OpenSSH while `work` runs,
 * the way another tend would: the watch must find the host busy, not converge it.
 */
export async function withLockHeld<T>(host: TestHost, work: () => Promise<T>): Promise<T> {
  const script = 'd=/run/lock; (umask 0; : >>$d/tend.lock); exec 9<$d/tend.lock; flock 9; echo \'{"run":"test-holder","controller":"test","pid":1}\' >$d/tend.lock.owner; echo locked; cat >/dev/null'
  const holder = spawn('ssh', [...sshArgs(host), `sh -c ${shQuote(script)}`], { stdio: ['pipe', 'pipe', 'pipe'] })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    holder.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('locked')) resolve()
    })
    holder.on('close', (code) => reject(new Error(`lock holder exited ${code}`)))
  })
  try {
    return await work()
  } finally {
    holder.stdin.end()
    await new Promise((resolve) => holder.on('close', resolve))
  }
}

/** An inventory of test hosts (each by its own name), for a watch. */
export function inventoryOf(hosts: readonly TestHost[], names = hosts.map((h) => h.name)): string {
  const lines = names.map((name, i) => {
    const h = hosts[i % hosts.length]!
    return `        ${name}: { ansible_host: ${h.address}, ansible_port: ${h.port}, ansible_user: root, ansible_ssh_private_key_file: ${h.keyFile}, tend_known_hosts_file: ${h.knownHostsFile} }`
  })
  return `all:\n  children:\n    watched:\n      hosts:\n${lines.join('\n')}\n`
}
