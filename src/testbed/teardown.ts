import { existsSync, readFileSync, readdirSync, rmSync, rmdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { must, sleep } from './exec.js'
import { removeCgroupTree } from './cgroups.js'
import { deleteBridgeIfUnused, deleteNetwork } from './network.js'
import { childrenOf, isAlive } from './proc.js'
import { type HostRecord, TESTBED_ROOT, readState, stateFileOf } from './state.js'
import { withRootLock } from './lock.js'

const mountedAt = (path: string): boolean =>
  readFileSync('/proc/self/mounts', 'utf8').split('\n').some((line) => line.split(' ')[1] === path)

async function waitGone(pid: number, startTime: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (isAlive(pid, startTime)) {
    if (Date.now() > deadline) return false
    await sleep(50)
  }
  return true
}

function pidsIn(dir: string): number[] {
  if (!existsSync(dir)) return []
  const own = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number)
  const sub = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())
  return [...own, ...sub.flatMap((e) => pidsIn(join(dir, e.name)))]
}

/**
 * Ends a host: SIGKILL of the container's PID 1 (nspawn's child) makes nspawn exit at once;
 * SIGKILL of nspawn itself only if it lingers. Leftovers in the host's own cgroup dirs are ours too.
 */
async function stopHost(host: HostRecord): Promise<void> {
  const launcher = host.launcher
  if (launcher !== undefined && isAlive(launcher.pid, launcher.startTime)) {
    for (const child of childrenOf(launcher.pid)) process.kill(child, 'SIGKILL')
    if (!(await waitGone(launcher.pid, launcher.startTime, 5000))) {
      process.kill(launcher.pid, 'SIGKILL')
      await waitGone(launcher.pid, launcher.startTime, 3000)
    }
  }
  for (const dir of host.cgroupDirs) {
    for (const pid of pidsIn(dir)) {
      try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
    }
  }
}

async function removeHost(host: HostRecord): Promise<void> {
  await stopHost(host)
  for (const mountpoint of [join(host.dir, 'root'), host.dir]) {
    if (mountedAt(mountpoint)) await must(['umount', mountpoint])
  }
  await deleteNetwork(host.name, host.index)
  for (const dir of host.cgroupDirs) {
    const deadline = Date.now() + 3000
    for (;;) {
      try {
        removeCgroupTree(dir)
        break
      } catch (err) {
        if (Date.now() > deadline) throw err
        await sleep(100)  // a killed process leaves its cgroup a moment after it is reaped
      }
    }
  }
  rmSync(`/run/systemd/nspawn/propagate/${host.name}`, { recursive: true, force: true })
  rmSync(host.dir, { recursive: true, force: true })
}

/** Tears down the testbed recorded in stateDir (also one a killed run left behind). Idempotent. */
export async function teardown(stateDir: string): Promise<void> {
  const file = stateFileOf(stateDir)
  if (!existsSync(file)) return
  const state = readState(file)
  const results = await Promise.allSettled(state.hosts.map(removeHost))
  for (const dir of new Set(state.hosts.flatMap((h) => h.cgroupDirs.map((d) => dirname(d))))) {
    try { rmdirSync(dir) } catch { /* another testbed still has hosts there */ }
  }
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))
  if (failed.length > 0) throw new Error(`teardown of ${stateDir} incomplete:\n${failed.join('\n')}`)
  rmSync(stateDir, { recursive: true, force: true })
  // Under the root lock: a testbed being allocated right now records itself before it needs the bridge.
  await withRootLock(TESTBED_ROOT, async () => {
    const others = readdirSync(TESTBED_ROOT).filter((e) => existsSync(stateFileOf(join(TESTBED_ROOT, e))))
    if (others.length === 0) await deleteBridgeIfUnused()
  })
}
