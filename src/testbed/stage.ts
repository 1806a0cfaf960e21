import { shQuote } from '../transport/quote.js'
import { sleep } from './exec.js'
import { APP_DIR, APP_PATH, APP_PORT, BASELINE_RELEASE, RELEASE_PATH, FAIL_ROUTE_FILE, UNIT_NAME, UNIT_PATH, appSource, unitText } from './host-files.js'
import { waitForHttp } from './http.js'
import { type ShResult, type SshEndpoint, sshSh } from './ssh.js'

export type Scenario = 'loop' | 'failed' | 'stopped' | 'masked' | 'disabled' | 'route-500' | 'second-rogue'
export const ROUTE_500 = '/exchange'
const DROP_IN_DIR = `/etc/systemd/system/${UNIT_NAME}.d`

export async function must(endpoint: SshEndpoint, script: string, what: string): Promise<string> {
  const result: ShResult = await sshSh(endpoint, `set -eu\n${script}`, { timeoutMs: 60_000 })
  if (result.exitCode !== 0) throw new Error(`${what} on ${endpoint.address} failed (exit ${result.exitCode}): ${result.stderr.trim()}`)
  return result.stdout
}

/** pid of every process a session scope or a foreign unit runs: what a test may have left behind. */
const SWEEP = `
own=$(grep -m1 'name=systemd:\\|^0::' /proc/$$/cgroup | cut -d: -f3)
for d in /proc/[0-9]*; do
  pid=\${d#/proc/}
  cg=$(grep -m1 'name=systemd:\\|^0::' $d/cgroup 2>/dev/null | cut -d: -f3) || continue
  case "$cg" in
    "$own"|"$own"/*) ;;
    /user.slice/*/session-*.scope*) kill -9 "$pid" 2>/dev/null || true ;;
  esac
done
# Listeners on the app port outside the unit: stop their unit, or kill them when they have none.
for pid in $(ss -ltnpH 'sport = :${APP_PORT}' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
  cg=$(grep -m1 'name=systemd:\\|^0::' /proc/$pid/cgroup 2>/dev/null | cut -d: -f3) || continue
  case "$cg" in
    */${UNIT_NAME}|*/${UNIT_NAME}/*) ;;
    /system.slice/*.service*) u=\${cg#/system.slice/}; u=\${u%%/*}; systemctl stop "$u" || kill -9 "$pid" ;;
    *) kill -9 "$pid" 2>/dev/null || true ;;
  esac
done
`

/**
 * Back to the baseline: no rogue or leftover session processes, pristine app (release 1, nothing
 * else in its directory) and unit file, no
 * drop-ins, unmasked, enabled, failure state reset, a fresh journal, the unit restarted and
 * answering 200 on / from its own MainPID.
 */
export async function resetToBaseline(endpoint: SshEndpoint): Promise<void> {
  const mainPid = await must(endpoint, `${SWEEP}
systemctl unmask ${UNIT_NAME} >/dev/null 2>&1 || true
rm -rf /etc/systemd/system/${UNIT_NAME} ${DROP_IN_DIR} /run/systemd/system/${UNIT_NAME}.d ${FAIL_ROUTE_FILE}
rm -rf ${APP_DIR} && mkdir -p ${APP_DIR}
printf '%s' ${shQuote(appSource())} > ${APP_PATH}
echo ${BASELINE_RELEASE} > ${RELEASE_PATH}
printf '%s' ${shQuote(unitText())} > ${UNIT_PATH}
systemctl daemon-reload
systemctl enable --quiet ${UNIT_NAME}
systemctl reset-failed ${UNIT_NAME} 2>/dev/null || true
journalctl --rotate --quiet >/dev/null 2>&1 && journalctl --vacuum-time=1s --quiet >/dev/null 2>&1 || true
systemctl restart ${UNIT_NAME}
systemctl show -p MainPID --value ${UNIT_NAME}`, 'reset to baseline')
  const pid = mainPid.trim()
  await waitForHttp(endpoint.address, APP_PORT, '/', (a) => a.status === 200 && a.body.includes(`pid=${pid}`), 15_000)
}

/** Starts a rogue copy outside systemd (it lands in this ssh login's session scope). */
const rogue = (host: string): string =>
  `cd / && setsid nohup /usr/bin/python3 ${APP_PATH} --host ${host} >>/var/log/scidex-rogue.log 2>&1 </dev/null &\n`

const waitListeners = (n: number): string => `
i=0; while [ "$(ss -ltnpH 'sport = :${APP_PORT}' | grep -c pid=)" -lt ${n} ]; do
  i=$((i+1)); [ $i -lt 100 ] || { echo 'rogue did not listen' >&2; exit 1; }; sleep 0.1; done
ss -ltnpH 'sport = :${APP_PORT}' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
`

async function unitShow(endpoint: SshEndpoint, property: string): Promise<string> {
  return (await must(endpoint, `systemctl show -p ${property} --value ${UNIT_NAME}`, `systemctl show ${property}`)).trim()
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`staging: ${what} not reached after ${timeoutMs} ms`)
    await sleep(250)
  }
}

/** The seed incident: rogue(s) hold :8000, then the unit is started and fails to bind. */
async function stageRogues(endpoint: SshEndpoint, hosts: readonly string[], keepLooping: boolean): Promise<number[]> {
  const limit = keepLooping
    ? `mkdir -p ${DROP_IN_DIR} && printf '[Unit]\\nStartLimitIntervalSec=0\\n' > ${DROP_IN_DIR}/50-tend-test-loop.conf`
    : `rm -f ${DROP_IN_DIR}/50-tend-test-loop.conf`
  const out = await must(endpoint, `systemctl stop ${UNIT_NAME}
${hosts.map(rogue).join('')}${waitListeners(hosts.length)}
${limit}
systemctl daemon-reload
systemctl start ${UNIT_NAME}`, 'staging the rogue')
  const pids = out.trim().split('\n').filter(Boolean).map(Number)
  if (keepLooping) await until('NRestarts > 0', 15_000, async () => Number(await unitShow(endpoint, 'NRestarts')) > 0)
  else await until('unit failed', 30_000, async () => (await unitShow(endpoint, 'ActiveState')) === 'failed')
  return pids
}

/** Stages a broken state on a host that is at the baseline; returns the rogue pids (if any). */
export async function stageScenario(endpoint: SshEndpoint, scenario: Scenario): Promise<{ readonly roguePids: readonly number[] }> {
  switch (scenario) {
    case 'loop': return { roguePids: await stageRogues(endpoint, ['0.0.0.0'], true) }
    case 'failed': return { roguePids: await stageRogues(endpoint, ['0.0.0.0'], false) }
    case 'second-rogue': return { roguePids: await stageRogues(endpoint, ['0.0.0.0', '::'], true) }
    case 'stopped': await must(endpoint, `systemctl stop ${UNIT_NAME}`, 'stop'); break
    case 'masked': await must(endpoint, `systemctl stop ${UNIT_NAME} && systemctl mask --quiet ${UNIT_NAME}`, 'mask'); break
    case 'disabled': await must(endpoint, `systemctl disable --quiet ${UNIT_NAME}`, 'disable'); break
    case 'route-500': await must(endpoint, `mkdir -p /var/lib/scidex-api && echo ${ROUTE_500} > ${FAIL_ROUTE_FILE}`, 'route-500'); break
  }
  return { roguePids: [] }
}
