/**
 * `tend demo`: the seed incident on a throw-away host, fixed by tend while you watch.
 * Boots one systemd + sshd host on this machine, stages a rogue copy of the app holding :8000
 * while scidex-api.service loops on the bind error, shows the broken state, runs
 * `tend run playbooks/api-recover.yaml` against it, shows the fixed state, runs it again (no
 * changes), then deploys release 2 with `playbooks/api-deploy.yaml` (the process is seen stale and
 * restarted, the routes answer from release 2), and tears the host down — also on Ctrl-C or failure.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { projectRoot } from '../project-root.js'
import {
  APP_PORT, ROUTES, TestbedUnavailable, UNIT_NAME, bootHosts, checkPrerequisites, httpGet, sshSh, stageScenario, teardown, type SshEndpoint, type Testbed,
} from '../testbed/index.js'

const REPO = projectRoot()
const TEND = join(REPO, 'bin', 'tend.js')

const bold = process.stdout.isTTY && !process.env.NO_COLOR
const say = (text: string) => process.stdout.write(bold ? `\n\x1b[1m== ${text}\x1b[0m\n` : `\n== ${text}\n`)

/** What an operator would look at: the unit, who holds the port, what the routes answer. */
async function showState(endpoint: SshEndpoint, address: string): Promise<void> {
  const state = await sshSh(endpoint, `systemctl show -p ActiveState,SubState,MainPID,NRestarts ${UNIT_NAME} | tr '\\n' ' '; echo
    for p in $(ss -ltnpH 'sport = :${APP_PORT}' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u); do
      echo ":${APP_PORT} held by pid $p in $(grep -m1 'name=systemd:' /proc/$p/cgroup | cut -d: -f3)"; done
    journalctl -u ${UNIT_NAME} -n 200 -o cat --no-pager | grep -c 'Errno 98' | sed 's/^/bind errors in the last 200 journal lines: /'`)
  process.stdout.write(state.stdout)
  const answers = await Promise.all(ROUTES.map((r) => httpGet(address, APP_PORT, r).catch(() => undefined)))
  const served = answers.map((a) => a?.body.match(/pid=(\d+)/)?.[1] ?? '-')
  const releases = answers.map((a) => a?.body.match(/release=(\S+)/)?.[1] ?? '-')
  const ok = answers.filter((a) => a?.status === 200).length
  process.stdout.write(`routes: ${ok}/${ROUTES.length} answer 200, served by pid ${[...new Set(served)].join(', ')}, release ${[...new Set(releases)].join(', ')}\n`)
}

function runTend(bed: Testbed, extra: readonly string[], playbook = 'playbooks/api-recover.yaml'): Promise<number> {
  const args = [TEND, 'run', playbook, '-i', bed.inventoryFile, ...extra]
  process.stdout.write(`$ tend ${args.slice(1).join(' ')}\n`)
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: 'inherit' })
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)))
}

async function show(bed: Testbed): Promise<number> {
  const host = bed.hosts[0]!
  const endpoint = { address: host.address, port: host.port, keyFile: bed.keyFile, knownHostsFile: bed.knownHostsFile }
  say(`Staging the incident on ${host.name} (${host.address}): a rogue app outside systemd holds :${APP_PORT}`)
  await stageScenario(endpoint, 'loop')
  await showState(endpoint, host.address)
  say('The plan (--check): who would be evicted, what restarted')
  await runTend(bed, ['--check'])
  say('tend run playbooks/api-recover.yaml')
  const first = await runTend(bed, ['-e', 'stable_seconds=5'])
  say('After the run')
  await showState(endpoint, host.address)
  say('Run again: a converged host changes nothing')
  const second = await runTend(bed, ['-e', 'stable_seconds=5'])
  say('A deployment: release 2 goes on disk; the running process is stale, so tend restarts it')
  const deployed = await runTend(bed, ['-e', 'release=2', '-e', 'stable_seconds=5'], 'playbooks/api-deploy.yaml')
  say('After the deployment')
  await showState(endpoint, host.address)
  return [first, second, deployed].find((code) => code !== 0) ?? 0
}

/** `onStop` is the process's signal owner (src/cli/signals.ts): it calls back on SIGINT/SIGTERM. */
export async function demoCommand(onStop: (stop: () => void) => void): Promise<number> {
  try {
    checkPrerequisites()
  } catch (error) {
    if (!(error instanceof TestbedUnavailable)) throw error
    process.stderr.write(`tend demo: ${error.message}\n`)
    return 1
  }
  let stateDir: string | undefined
  const stop = () => void (stateDir ? teardown(stateDir).finally(() => process.exit(130)) : process.exit(130))
  onStop(stop)
  say('Booting a throw-away host (systemd + sshd in a network namespace)')
  const started = Date.now()
  try {
    const bed = await bootHosts({ count: 1, prefix: 'tend-demo', owner: 'process', onAllocated: (dir) => (stateDir = dir) })
    process.stdout.write(`booted ${bed.hosts[0]!.name} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
    return await show(bed)
  } finally {
    if (stateDir) {
      say('Tearing the host down')
      await teardown(stateDir)
    }
  }
}
