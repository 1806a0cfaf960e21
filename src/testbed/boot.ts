import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { must } from './exec.js'
import { cgroupDirsFor } from './cgroups.js'
import { fillUpper } from './rootfs.js'
import { addressOf, createNetwork, vethOf } from './network.js'
import { launch } from './launch.js'
import { checkPrerequisites } from './prereq.js'
import { isAlive, selfIdentity } from './proc.js'
import { waitForSsh } from './ssh.js'
import { type HostRecord, type TestbedState, TESTBED_ROOT, readState, stateFileOf, writeState } from './state.js'

export { TESTBED_ROOT }
import { teardown } from './teardown.js'
import { withRootLock } from './lock.js'
import { inventoryYaml, knownHostsLines } from './files.js'

const TENDPW_PASSWORD = 'tendpw-sudo-password'
const MAX_INDEX = 240

export interface BootOptions {
  readonly count: number
  /** host names are PREFIX1, PREFIX2, …; when PREFIX is taken (and no stateDir is given), PREFIX2-1, … */
  readonly prefix?: string
  /** default TESTBED_ROOT/PREFIX; giving one fixes the prefix too */
  readonly stateDir?: string
  /** host N (1-based) gets index firstIndex+N-1 and address 10.77.0.(10+index); default: lowest free range */
  readonly firstIndex?: number
  /** 'process': a later run may tear it down once this process is gone; 'none': stays until `down` */
  readonly owner?: 'process' | 'none'
  readonly readyTimeoutMs?: number
  /** called once the testbed is recorded, before anything is created (so a signal handler can tear it down) */
  readonly onAllocated?: (stateDir: string) => void
}

export interface Testbed {
  readonly stateFile: string
  readonly stateDir: string
  readonly hosts: readonly { readonly name: string; readonly address: string; readonly port: number }[]
  readonly inventoryFile: string
  readonly knownHostsFile: string
  readonly keyFile: string
  readonly tendpwPassword: string
}

export const testbedOf = (state: TestbedState): Testbed => ({
  stateFile: stateFileOf(state.stateDir), stateDir: state.stateDir,
  hosts: state.hosts.map((h) => ({ name: h.name, address: h.address, port: h.port })),
  inventoryFile: state.inventoryFile, knownHostsFile: state.knownHostsFile, keyFile: state.keyFile,
  tendpwPassword: state.tendpwPassword,
})

/** The last console lines of hosts not reachable yet: why a boot failed is usually there. */
function consoleTails(hosts: readonly HostRecord[]): string {
  return hosts.map((h) => {
    try {
      const lines = readFileSync(join(h.dir, 'console.log'), 'utf8').trimEnd().split('\n')
      return `\n--- ${h.name} console (last 15 lines) ---\n${lines.slice(-15).join('\n')}`
    } catch {
      return ''
    }
  }).join('')
}

function existingStates(): TestbedState[] {
  if (!existsSync(TESTBED_ROOT)) return []
  return readdirSync(TESTBED_ROOT).map((e) => stateFileOf(join(TESTBED_ROOT, e)))
    .filter((f) => existsSync(f)).map(readState)
}

/** A prefix no testbed uses yet: PREFIX itself, else PREFIX2-, PREFIX3-, … */
function freePrefix(wanted: string, taken: ReadonlySet<string>, fixed: boolean): string {
  if (fixed || !taken.has(wanted)) return wanted
  for (let k = 2; ; k++) if (!taken.has(`${wanted}${k}-`)) return `${wanted}${k}-`
}

/** The lowest first index whose whole range is free (host N gets 10.77.0.(10+index)). */
function freeFirstIndex(count: number, used: ReadonlySet<number>): number {
  for (let first = 1; first + count - 1 <= MAX_INDEX; first++) {
    if (Array.from({ length: count }, (_, i) => first + i).every((i) => !used.has(i))) return first
  }
  throw new Error(`no ${count} free addresses left in 10.77.0.11-${10 + MAX_INDEX}; tear down other testbeds`)
}

/** Picks names and addresses no other testbed uses and records the new testbed, under the root lock. */
function allocate(options: BootOptions): TestbedState {
  const others = existingStates()
  const prefix = freePrefix(options.prefix ?? 'tend-h', new Set(others.map((s) => s.prefix)), options.stateDir !== undefined)
  const stateDir = options.stateDir ?? join(TESTBED_ROOT, prefix)
  if (existsSync(stateFileOf(stateDir))) throw new Error(`${stateDir} already holds a testbed; tear it down first`)
  const usedIndexes = new Set(others.flatMap((s) => s.hosts.map((h) => h.index)))
  const usedNames = new Set(others.flatMap((s) => s.hosts.map((h) => h.name)))
  const first = options.firstIndex ?? freeFirstIndex(options.count, usedIndexes)
  const hosts: HostRecord[] = Array.from({ length: options.count }, (_, i) => {
    const name = `${prefix}${i + 1}`
    const index = first + i
    if (usedNames.has(name) || usedIndexes.has(index) || index < 1 || index > MAX_INDEX) {
      throw new Error(`host ${name} (${addressOf(index)}) clashes with another testbed or leaves 10.77.0.11-${10 + MAX_INDEX}`)
    }
    return { name, index, address: addressOf(index), port: 22, dir: join(stateDir, 'hosts', name), veth: vethOf(index), cgroupDirs: cgroupDirsFor(name) }
  })
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const state: TestbedState = {
    version: 1, stateDir, prefix, owner: options.owner === 'none' ? null : selfIdentity(),
    keyFile: join(stateDir, 'id_ed25519'), knownHostsFile: join(stateDir, 'known_hosts'),
    inventoryFile: join(stateDir, 'inventory.yml'), tendpwPassword: TENDPW_PASSWORD, hosts,
  }
  writeState(state)  // before anything exists, so an interrupted boot can be cleaned up
  return state
}

async function prepareHost(state: TestbedState, host: HostRecord, publicKey: string, hash: string): Promise<void> {
  mkdirSync(host.dir, { recursive: true })
  await must(['mount', '-t', 'tmpfs', '-o', 'mode=755', 'tend-testbed', host.dir])
  for (const sub of ['upper', 'work', 'root']) mkdirSync(join(host.dir, sub))
  await fillUpper({ upper: join(host.dir, 'upper'), name: host.name, port: host.port, clientPublicKey: publicKey, tendpwHash: hash })
  await must(['mount', '-t', 'overlay', '-o', `lowerdir=/,upperdir=${host.dir}/upper,workdir=${host.dir}/work`, 'tend-testbed', join(host.dir, 'root')])
  await createNetwork(host.name, host.index)
  host.launcher = launch({ name: host.name, dir: host.dir, cgroupDirs: host.cgroupDirs })
  writeState(state)
}

/** Boots `count` hosts in parallel and returns once every one accepts a key-auth ssh login. */
/**
 * Every booted systemd takes inotify instances; the kernel default (128 per user) ends at a few
 * hosts with "Failed to allocate manager object: Too many open files". Raised, never lowered.
 */
function raiseInotifyLimits(): void {
  for (const [key, wanted] of [['max_user_instances', 8192], ['max_user_watches', 1048576]] as const) {
    const file = `/proc/sys/fs/inotify/${key}`
    if (Number(readFileSync(file, 'utf8')) < wanted) writeFileSync(file, String(wanted))
  }
}

export async function bootHosts(options: BootOptions): Promise<Testbed> {
  checkPrerequisites()
  raiseInotifyLimits()
  const state = await withRootLock(TESTBED_ROOT, async () => allocate(options))
  const { hosts, stateDir } = state
  options.onAllocated?.(stateDir)
  const started = Date.now()
  const debug = (what: string): void => { if (process.env.TEND_TESTBED_DEBUG) console.error(`testbed +${Date.now() - started} ms: ${what}`) }
  try {
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `tend-testbed-${state.prefix}`, '-f', state.keyFile])
    const publicKey = readFileSync(`${state.keyFile}.pub`, 'utf8')
    const hash = (await must(['openssl', 'passwd', '-6', '-stdin'], { input: TENDPW_PASSWORD })).trim()
    await Promise.all(hosts.map((h) => prepareHost(state, h, publicKey, hash)))
    debug(`prepared ${hosts.length} hosts`)
    writeFileSync(state.knownHostsFile, hosts.map((h) => knownHostsLines(h, join(h.dir, 'upper'))).join(''))
    writeFileSync(state.inventoryFile, inventoryYaml(state))
    await Promise.all(hosts.map((h) => waitForSsh({ ...h, keyFile: state.keyFile, knownHostsFile: state.knownHostsFile },
      options.readyTimeoutMs ?? 30_000 + 5_000 * options.count,
      () => h.launcher !== undefined && isAlive(h.launcher.pid, h.launcher.startTime)).then(() => debug(`${h.name} ready`))))
    return testbedOf(state)
  } catch (err) {
    if (err instanceof Error) err.message += consoleTails(hosts)
    await teardown(stateDir).catch((cleanup: unknown) => console.error(`cleanup after failed boot: ${String(cleanup)}`))
    throw err
  }
}
