/**
 * tsx src/testbed/cli.ts up [N] [--prefix P] [--first K] | down [--prefix P] | status [--prefix P]
 * Defaults: prefix tend-d, the lowest free addresses (other testbeds' are never reused).
 * A testbed from `up` stays until `down`; state lives in /run/tend-testbed/PREFIX.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { TESTBED_ROOT, bootHosts } from './boot.js'
import { TestbedUnavailable } from './prereq.js'
import { isAlive } from './proc.js'
import { readState, stateFileOf } from './state.js'
import { teardown } from './teardown.js'

function option(args: readonly string[], name: string, fallback: string): string {
  const at = args.indexOf(name)
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback
}

async function main(args: readonly string[]): Promise<number> {
  const [command, countArg] = args
  const prefix = option(args, '--prefix', 'tend-d')
  const stateDir = join(TESTBED_ROOT, prefix)
  if (command === 'up') {
    const started = Date.now()
    const count = countArg !== undefined && /^\d+$/.test(countArg) ? Number(countArg) : 3
    const bed = await bootHosts({ count, prefix, stateDir, firstIndex: args.includes('--first') ? Number(option(args, '--first', '1')) : undefined, owner: 'none' })
    console.log(`booted ${bed.hosts.length} hosts in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    for (const h of bed.hosts) console.log(`  ${h.name} ${h.address}:${h.port}`)
    console.log(`inventory: ${bed.inventoryFile}\nstate: ${bed.stateFile}`)
    return 0
  }
  if (command === 'down') {
    const started = Date.now()
    await teardown(stateDir)
    console.log(`tore down ${stateDir} in ${((Date.now() - started) / 1000).toFixed(1)} s`)
    return 0
  }
  if (command === 'status') {
    if (!existsSync(stateFileOf(stateDir))) {
      console.log(`no testbed at ${stateDir}`)
      return 1
    }
    const state = readState(stateFileOf(stateDir))
    for (const h of state.hosts) {
      const up = h.launcher !== undefined && isAlive(h.launcher.pid, h.launcher.startTime)
      console.log(`${h.name} ${h.address}:${h.port} ${up ? `up (nspawn pid ${h.launcher?.pid})` : 'down'}`)
    }
    console.log(`inventory: ${state.inventoryFile}`)
    return 0
  }
  console.error('usage: tsx src/testbed/cli.ts up [N] [--prefix P] [--first K] | down [--prefix P] | status [--prefix P]')
  return 2
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  console.error(err instanceof TestbedUnavailable ? err.message : err instanceof Error ? err.message : String(err))
  process.exitCode = 1
})
