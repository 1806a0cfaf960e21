import { bootHosts, type Testbed } from '../src/testbed/boot.js'
import { sshSh, type ShResult } from '../src/testbed/ssh.js'
import { teardown } from '../src/testbed/teardown.js'
import type { BenchTarget } from './targets.js'

/** The bench's own testbed: a prefix and addresses (10.77.0.210+) that tests' testbeds never use. */
export const BENCH_PREFIX = 'tend-bench'
const FIRST_INDEX = 200

export interface BenchHost {
  readonly name: string
  readonly address: string
  readonly port: number
  readonly keyFile: string
  readonly knownHostsFile: string
}

export interface BenchBed {
  readonly testbed: Testbed
  readonly hosts: readonly BenchHost[]
}

export async function bootBench(count: number): Promise<BenchBed> {
  const testbed = await bootHosts({ count, prefix: BENCH_PREFIX, firstIndex: FIRST_INDEX, owner: 'process' })
  const hosts = testbed.hosts.map((h) => ({ ...h, keyFile: testbed.keyFile, knownHostsFile: testbed.knownHostsFile }))
  return { testbed, hosts }
}

export const tearDownBench = (bed: BenchBed): Promise<void> => teardown(bed.testbed.stateDir)

/** A root shell script on the host through OpenSSH (independent of the peers being measured). */
export async function onHost(host: BenchHost, script: string, timeoutMs = 120_000): Promise<ShResult> {
  return sshSh(host, script, { timeoutMs })
}

export async function mustOnHost(host: BenchHost, script: string, timeoutMs = 120_000): Promise<string> {
  const result = await onHost(host, script, timeoutMs)
  if (result.exitCode !== 0) {
    throw new Error(`${host.name}: script failed (exit ${result.exitCode}): ${result.stderr || result.stdout}`)
  }
  return result.stdout
}

/** The real hosts as inventory entries with the playbook's default service (scidex-api on :8000). */
export const targetsOf = (hosts: readonly BenchHost[]): BenchTarget[] =>
  hosts.map((h) => ({
    name: h.name, address: h.address, sshPort: h.port, user: 'root', keyFile: h.keyFile, knownHostsFile: h.knownHostsFile,
  }))
