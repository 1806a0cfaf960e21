/**
 * Test-only driver for the systemd modules: one task through the engine's converge, over any
 * Transport. Shared by the unit/port/stable/journal tests and by
 * systemd-in-host.ts (the same converge, run inside a host through the local transport).
 */
import { fileURLToPath } from 'node:url'
import { ProbeError } from '../../src/errors.js'
import { shJoin, shQuote } from '../../src/transport/quote.js'
import { openSsh } from '../../src/transport/ssh.js'
import type { Transport } from '../../src/transport/types.js'
import { converge as engineConverge, type ConvergeMode, type Convergence } from '../../src/engine/converge.js'
import type { AnyModule, ModuleContext } from '../../src/modules/types.js'
import { modules } from '../../src/modules/index.js'
import type { TestHost } from '../support/testbed.js'

export interface ConvergeResult {
  /** Summaries of the planned changes (empty: converged, nothing applied). */
  readonly changes: readonly string[]
  /** apply's data per change, in order. */
  readonly applied: readonly unknown[]
  /** A failure, worded as the engine words it: ProbeError text, apply's `failed`, or what is still not as declared. */
  readonly failure?: string
  readonly facts?: Readonly<Record<string, unknown>>
  /** The engine's verdict for the task. */
  readonly status: Convergence['status']
}

export function contextFor(transport: Transport, options: { timeoutMs?: number; runStartedAt?: Date } = {}): ModuleContext {
  const signal = AbortSignal.timeout(options.timeoutMs ?? 60_000)
  const deadline = Date.now() + (options.timeoutMs ?? 60_000) - 1000
  return {
    host: transport.host,
    signal,
    run: (argv, runOptions) => transport.exec(argv, { signal, ...runOptions }),
    openTcp: (address, port, own) => transport.openTcp(address, port, own ? AbortSignal.any([signal, own]) : signal),
    remainingMs: () => Math.max(0, deadline - Date.now()),
    runStartedAt: options.runStartedAt ?? new Date(),
    vars: {},
    playbookDir: process.cwd(),
  }
}

/**
 * One task through the engine's own converge (src/engine/converge.ts), so a bug there shows here
 * too. The module is only wrapped to record each apply's data in order; nothing is re-implemented.
 */
export async function converge(kind: string, ctx: ModuleContext, spec: unknown, mode: ConvergeMode = { check: false, afterPlannedChanges: false }): Promise<ConvergeResult> {
  const module = modules[kind]?.module
  if (module === undefined) throw new Error(`no module ${kind}`)
  const applied: unknown[] = []
  const apply = module.apply
  const recorded: AnyModule = apply === undefined ? module : {
    ...module,
    apply: async (applyCtx, change, applySpec) => {
      const result = await apply.call(module, applyCtx, change, applySpec)
      applied.push(result?.data)
      return result
    },
  }
  try {
    const result = await engineConverge(recorded, ctx, spec, mode)
    return {
      changes: result.changes.map((c) => c.summary),
      applied,
      facts: result.data,
      status: result.status,
      ...(result.status === 'failed' && { failure: result.message ?? 'failed' }),
    }
  } catch (err) {
    if (err instanceof ProbeError) return { changes: [], applied, status: 'failed', failure: err.message }
    throw err
  }
}

/** tend's own SSH transport to a test host, verifying its host key; ~/.ssh/config left out. */
export async function sshTo(host: TestHost): Promise<Transport> {
  return openSsh(
    { host: host.name, address: host.address, port: host.port, user: 'root', keyFile: host.keyFile, knownHostsFile: host.knownHostsFile, hostKeyPolicy: 'strict' },
    { configFile: '/dev/null' },
  )
}

/** The same converge run INSIDE the host through the local transport (systemd-in-host.ts). */
export async function convergeInHost(
  host: TestHost, kind: string, spec: unknown, options: { runStartedAt?: Date; timeoutMs?: number } = {},
): Promise<ConvergeResult> {
  const argv = ['node', '--import', 'tsx', 'test/modules/systemd-in-host.ts', kind, JSON.stringify(spec),
    String(options.runStartedAt?.getTime() ?? ''), String(options.timeoutMs ?? '')]
  const result = await host.sh(`cd ${shQuote(REPO)} && ${shJoin(argv)}`, { timeoutMs: 90_000 })
  const last = result.stdout.trim().split('\n').pop() ?? ''
  if (result.exitCode !== 0 || !last.startsWith('{')) {
    throw new Error(`in-host converge failed (exit ${result.exitCode}): ${result.stderr.trim()} ${result.stdout.trim()}`)
  }
  return JSON.parse(last) as ConvergeResult
}

const REPO = fileURLToPath(new URL('../..', import.meta.url))

/** Runs a script on the host and returns its trimmed stdout; throws on a non-zero exit. */
export async function onHost(host: TestHost, script: string): Promise<string> {
  const result = await host.sh(script)
  if (result.exitCode !== 0) throw new Error(`on ${host.name}: exit ${result.exitCode}: ${result.stderr.trim()}\n${script}`)
  return result.stdout.trim()
}

/** The unit's MainPID and NRestarts as systemctl reports them. */
export async function mainPid(host: TestHost, unit = 'scidex-api.service'): Promise<number> {
  return Number(await onHost(host, `systemctl show -p MainPID --value ${shQuote(unit)}`))
}

/** The systemd cgroup path of every process listening on the port. */
export async function listenerCgroups(host: TestHost, port: number): Promise<string[]> {
  const out = await onHost(host, `for p in $(ss -ltnpH 'sport = :${port}' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
  grep -m1 'name=systemd:' /proc/$p/cgroup | cut -d: -f3; done`)
  return out === '' ? [] : out.split('\n')
}

export async function processExists(host: TestHost, pid: number): Promise<boolean> {
  return (await host.sh(`test -d /proc/${pid}`)).exitCode === 0
}
