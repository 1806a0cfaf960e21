/**
 * Test hosts for tests: the testbed `npm test` booted (env TEND_TESTBED = its state file).
 * leaseHost() gives a test file exclusive use of one host, reset to the baseline first.
 */
import {
  type Scenario, type ShResult, readState, resetToBaseline, sshSh, stageScenario, takeLease, takeLeases,
} from '../../src/testbed/index.js'

export interface TestHost {
  readonly name: string
  readonly address: string
  readonly port: number
  readonly keyFile: string
  readonly knownHostsFile: string
  /** Runs a /bin/sh script on the host as root via OpenSSH's `ssh` binary (independent of tend's transports). */
  sh(script: string, options?: { timeoutMs?: number }): Promise<ShResult>
}

export interface TestbedInfo {
  readonly inventoryFile: string
  readonly hosts: readonly TestHost[]
  /** the state dir of the testbed (leases live there) */
  readonly stateDir: string
  /** sudo password of user `tendpw` on every host */
  readonly tendpwPassword: string
}

let cached: TestbedInfo | undefined

/** The booted testbed of this test run (from env TEND_TESTBED); throws a clear error if absent. */
export function testbed(): TestbedInfo {
  if (cached !== undefined) return cached
  const file = process.env.TEND_TESTBED
  if (file === undefined || file === '') {
    throw new Error('TEND_TESTBED is not set: run tests through `npm test` (tsx test/run.ts [files…]), which boots the test hosts')
  }
  const state = readState(file)
  const hosts = state.hosts.map((h): TestHost => {
    const endpoint = { address: h.address, port: h.port, keyFile: state.keyFile, knownHostsFile: state.knownHostsFile }
    return {
      name: h.name, address: h.address, port: h.port, keyFile: state.keyFile, knownHostsFile: state.knownHostsFile,
      sh: (script, options) => sshSh(endpoint, script, options ?? {}),
    }
  })
  cached = { inventoryFile: state.inventoryFile, hosts, stateDir: state.stateDir, tendpwPassword: state.tendpwPassword }
  return cached
}

/** Exclusive use of one host for the calling test process (waits while all are leased), reset to
 *  the baseline first. Released automatically when the process exits. */
export async function leaseHost(): Promise<TestHost> {
  const bed = testbed()
  const name = await takeLease(bed.stateDir, bed.hosts.map((h) => h.name))
  const host = bed.hosts.find((h) => h.name === name)
  if (host === undefined) throw new Error(`leased unknown host ${name}`)
  await resetToBaseline(host)
  return host
}

/** Exclusive use of `count` hosts at once (all or none, so tests never deadlock), each reset to
 *  the baseline. The testbed has TEND_TEST_HOSTS hosts (default 6). */
export async function leaseHosts(count: number): Promise<TestHost[]> {
  const bed = testbed()
  const names = await takeLeases(bed.stateDir, bed.hosts.map((h) => h.name), count)
  const hosts = names.map((name) => bed.hosts.find((h) => h.name === name)!)
  await Promise.all(hosts.map(resetToBaseline))
  return hosts
}

/** Stage a broken state on a leased host. */
export function stage(host: TestHost, scenario: Scenario): Promise<{ readonly roguePids: readonly number[] }> {
  return stageScenario(host, scenario)
}

export type { Scenario }
