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
import { type HostRecord, type TestbedState, readState, stateFileOf, writeState } from './state.js'
import { teardown } from './teardown.js'
import { inventoryYaml, knownHostsLines } from './files.js'

/** Where testbeds keep their state unless told otherwise (one dir per testbed). */
export const TESTBED_ROOT = '/run/tend-testbed'
const TENDPW_PASSWORD = 'tendpw-sudo-password'

export interface BootOptions {
  readonly count: number
  /** host names are PREFIX1, PREFIX2, … */
  readonly prefix?: string
  readonly stateDir?: string
  /** host N (1-based) gets index firstIndex+N-1 and address 10.77.0.(10+index) */
  readonly firstIndex?: number
  /** 'process': a later run may tear it down once this process is gone; 'none': stays until `down` */
  readonly owner?: 'process' | 'none'
  readonly readyTimeoutMs?: number
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

/** Refuses to boot over a live testbed using the same names or addresses. */
function checkNoClash(stateDir: string, hosts: readonly HostRecord[]): void {
  if (existsSync(stateFileOf(stateDir))) throw new Error(`${stateDir} already holds a testbed; run teardown first`)
  if (!existsSync(TESTBED_ROOT)) return
  for (const entry of readdirSync(TESTBED_ROOT)) {
    const file = stateFileOf(join(TESTBED_ROOT, entry))
    if (!existsSync(file)) continue
    for (const other of readState(file).hosts) {
      if (hosts.some((h) => h.name === other.name || h.index === other.index)) {
        throw new Error(`host ${other.name} (${other.address}) of testbed ${join(TESTBED_ROOT, entry)} clashes; tear it down or pick another prefix/firstIndex`)
      }
    }
  }
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
export async function bootHosts(options: BootOptions): Promise<Testbed> {
  checkPrerequisites()
  const prefix = options.prefix ?? 'tend-h'
  const stateDir = options.stateDir ?? join(TESTBED_ROOT, prefix)
  const first = options.firstIndex ?? 1
  const hosts: HostRecord[] = Array.from({ length: options.count }, (_, i) => {
    const name = `${prefix}${i + 1}`
    const index = first + i
    return { name, index, address: addressOf(index), port: 22, dir: join(stateDir, 'hosts', name), veth: vethOf(index), cgroupDirs: cgroupDirsFor(name) }
  })
  if (first < 1 || first + options.count - 1 > 240) throw new Error('host indexes must stay within 1..240')
  checkNoClash(stateDir, hosts)
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const state: TestbedState = {
    version: 1, stateDir, prefix, owner: options.owner === 'none' ? null : selfIdentity(),
    keyFile: join(stateDir, 'id_ed25519'), knownHostsFile: join(stateDir, 'known_hosts'),
    inventoryFile: join(stateDir, 'inventory.yml'), tendpwPassword: TENDPW_PASSWORD, hosts,
  }
  writeState(state)  // before anything exists, so an interrupted boot can be cleaned up
  try {
    await must(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `tend-testbed-${prefix}`, '-f', state.keyFile])
    const publicKey = readFileSync(`${state.keyFile}.pub`, 'utf8')
    const hash = (await must(['openssl', 'passwd', '-6', '-stdin'], { input: TENDPW_PASSWORD })).trim()
    await Promise.all(hosts.map((h) => prepareHost(state, h, publicKey, hash)))
    writeFileSync(state.knownHostsFile, hosts.map((h) => knownHostsLines(h, join(h.dir, 'upper'))).join(''))
    writeFileSync(state.inventoryFile, inventoryYaml(state))
    await Promise.all(hosts.map((h) => waitForSsh({ ...h, keyFile: state.keyFile, knownHostsFile: state.knownHostsFile },
      options.readyTimeoutMs ?? 30_000 + 5_000 * options.count,
      () => h.launcher !== undefined && isAlive(h.launcher.pid, h.launcher.startTime))))
    return testbedOf(state)
  } catch (err) {
    await teardown(stateDir).catch((cleanup: unknown) => console.error(`cleanup after failed boot: ${String(cleanup)}`))
    throw err
  }
}
