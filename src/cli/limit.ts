/** `--limit PATTERN` or `--limit @FILE` (one pattern per line, like Ansible's retry files). */
import { readInput } from '../playbook/input-file.js'
import { ConfigError } from '../errors.js'
import type { Inventory } from '../playbook/model.js'
import { selectHosts } from '../playbook/patterns.js'

async function patternOf(arg: string): Promise<string> {
  if (!arg.startsWith('@')) return arg
  const file = arg.slice(1)
  let text: string
  try {
    text = await readInput(file)
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error)
    throw new ConfigError([{ file, line: 0, column: 0, message: `cannot read --limit file (${reason})` }])
  }
  const patterns = text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
  if (patterns.length === 0) {
    throw new ConfigError([{ file, line: 0, column: 0, message: '--limit file lists no hosts', hint: 'one host name or pattern per line' }])
  }
  return patterns.join(':')
}

/** Host names the limit selects, in inventory order; a limit that selects nothing is an error. */
export async function resolveLimit(inventory: Inventory, arg: string): Promise<ReadonlySet<string>> {
  const pattern = await patternOf(arg)
  const hosts = selectHosts(inventory, pattern)
  if (hosts.length === 0) {
    throw new ConfigError([
      {
        file: arg.startsWith('@') ? arg.slice(1) : '<command line>',
        line: 0,
        column: 0,
        message: `--limit ${JSON.stringify(pattern)} matches no host of the inventory`,
        hint: `hosts: ${[...inventory.hosts.keys()].slice(0, 10).join(', ') || '(none)'}`,
      },
    ])
  }
  return new Set(hosts)
}
