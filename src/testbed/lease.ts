import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sleep } from './exec.js'
import { isAlive, selfIdentity } from './proc.js'

const held = new Set<string>()
let releaseHooked = false

function hookRelease(): void {
  if (releaseHooked) return
  releaseHooked = true
  // 'exit' handlers must be synchronous; a killed process (SIGKILL) leaves its lock behind, which
  // the next taker recognises by the owner pid being gone.
  process.once('exit', () => { for (const dir of held) rmSync(dir, { recursive: true, force: true }) })
}

function ownerAlive(lockDir: string): boolean {
  try {
    const owner = JSON.parse(readFileSync(join(lockDir, 'owner.json'), 'utf8')) as { pid: number; startTime: string }
    return isAlive(owner.pid, owner.startTime)
  } catch {
    return true  // being created right now: its owner.json is about to appear
  }
}

/** mkdir is atomic: whoever creates the dir holds the lease. */
function tryTake(lockDir: string): boolean {
  try {
    mkdirSync(lockDir)
  } catch {
    if (ownerAlive(lockDir)) return false
    rmSync(lockDir, { recursive: true, force: true })
    return tryTake(lockDir)
  }
  writeFileSync(join(lockDir, 'owner.json'), JSON.stringify(selfIdentity()))
  held.add(lockDir)
  hookRelease()
  return true
}

/** Takes the first free host of `names` for this process, waiting while all are leased. */
export async function takeLease(stateDir: string, names: readonly string[], timeoutMs = 600_000): Promise<string> {
  const dir = join(stateDir, 'leases')
  mkdirSync(dir, { recursive: true })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    for (const name of names) {
      if (!held.has(join(dir, name)) && tryTake(join(dir, name))) return name
    }
    if (Date.now() > deadline) throw new Error(`no free test host after ${timeoutMs} ms (all ${names.length} leased)`)
    await sleep(200)
  }
}

export function releaseLease(stateDir: string, name: string): void {
  const lockDir = join(stateDir, 'leases', name)
  if (held.delete(lockDir)) rmSync(lockDir, { recursive: true, force: true })
}

/**
 * Takes `count` hosts at once, all or none: a test that needs several hosts never holds some while
 * waiting for the rest (two such tests would each hold half and wait for ever).
 */
export async function takeLeases(stateDir: string, names: readonly string[], count: number, timeoutMs = 600_000): Promise<string[]> {
  if (count > names.length) throw new Error(`a test asks for ${count} hosts but the testbed has ${names.length} (TEND_TEST_HOSTS)`)
  const dir = join(stateDir, 'leases')
  mkdirSync(dir, { recursive: true })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const taken: string[] = []
    for (const name of names) {
      if (taken.length === count) break
      if (!held.has(join(dir, name)) && tryTake(join(dir, name))) taken.push(name)
    }
    if (taken.length === count) return taken
    for (const name of taken) releaseLease(stateDir, name)
    if (Date.now() > deadline) throw new Error(`no ${count} free test hosts after ${timeoutMs} ms`)
    await sleep(200 + Math.random() * 300)
  }
}
