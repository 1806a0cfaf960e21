/** The incident end to end: the real CLI against real test hosts, checked independently over OpenSSH. */
import { fileURLToPath } from 'node:url'
import type { EngineEvent, RecapCounters } from '../../src/engine/events.js'
import { APP_PORT, ROUTES, UNIT_NAME, httpGet } from '../../src/testbed/index.js'
import { cleanEnv, tend, type Finished } from '../cli/support.js'
import { testbed, type TestHost } from '../support/testbed.js'
import { onHost } from '../modules/systemd-harness.js'
import { eventsIn } from '../support/events.js'

export const REPO = fileURLToPath(new URL('../..', import.meta.url))
export const PLAYBOOK = 'playbooks/api-recover.yaml'
/** A short stability window: the tests check the unit's state themselves over it. */
export const STABLE_SECONDS = 3

export interface TendRun extends Finished {
  readonly events: readonly EngineEvent[]
  readonly recap: Readonly<Record<string, RecapCounters>>
}

/** `tend run api-recover` on one test host with --json; extra args go after. */
export async function recover(host: TestHost, ...args: string[]): Promise<TendRun> {
  const argv = ['run', PLAYBOOK, '-i', testbed().inventoryFile, '--limit', host.name,
    '-e', `stable_seconds=${STABLE_SECONDS}`, '--json', ...args]
  const run = await tend(argv, REPO, cleanEnv())
  const events = eventsIn(run.stdout)
  const recap = events.find((e) => e.type === 'recap')
  return { ...run, events, recap: recap?.type === 'recap' ? recap.hosts : {} }
}

export interface UnitProps {
  readonly activeState: string
  readonly subState: string
  readonly mainPid: number
  readonly nRestarts: number
  readonly cgroup: string
}

export async function unitProps(host: TestHost): Promise<UnitProps> {
  const out = await onHost(host, `systemctl show -p ActiveState,SubState,MainPID,NRestarts,ControlGroup ${UNIT_NAME}`)
  const p = Object.fromEntries(out.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  return { activeState: p.ActiveState!, subState: p.SubState!, mainPid: Number(p.MainPID), nRestarts: Number(p.NRestarts), cgroup: p.ControlGroup! }
}

/** Each pid listening on :8000 with the systemd cgroup /proc says it is in. */
export async function portHolders(host: TestHost): Promise<{ pid: number; cgroup: string }[]> {
  const out = await onHost(host, `for p in $(ss -ltnpH 'sport = :${APP_PORT}' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
    printf '%s %s\\n' "$p" "$(grep -m1 'name=systemd:' /proc/$p/cgroup | cut -d: -f3)"; done`)
  return out === '' ? [] : out.split('\n').map((l) => ({ pid: Number(l.split(' ')[0]), cgroup: l.split(' ')[1]! }))
}

/** Status of every incident route, asked from the machine over the test network. */
export async function routeStatuses(host: TestHost): Promise<number[]> {
  return Promise.all(ROUTES.map(async (route) => (await httpGet(host.address, APP_PORT, route)).status))
}

/** The host's clock, as `journalctl --since` takes it. */
export async function hostNow(host: TestHost): Promise<string> {
  return `@${await onHost(host, 'date +%s.%N')}`
}

/** Bind errors in the unit's journal since a host time from hostNow(). */
export async function bindErrorsSince(host: TestHost, since: string): Promise<string> {
  return onHost(host, `journalctl -u ${UNIT_NAME} --since ${since} -o cat --no-pager | grep -E 'Errno 98|Address already in use' || true`)
}

export function totals(recap: Readonly<Record<string, RecapCounters>>): RecapCounters {
  const sum: RecapCounters = { ok: 0, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 }
  for (const counters of Object.values(recap)) for (const k of Object.keys(sum) as (keyof RecapCounters)[]) sum[k] += counters[k]
  return sum
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
