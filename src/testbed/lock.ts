import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sleep } from './exec.js'
import { isAlive, selfIdentity } from './proc.js'

/**
 * Runs fn while holding ROOT/.lock (mkdir is atomic). Several test runs, the demo and developers'
 * testbeds share one bridge and one address range; allocation and bridge removal happen under it.
 * A lock whose owner process is gone is taken over.
 */
export async function withRootLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(root, { recursive: true, mode: 0o700 })
  const lock = join(root, '.lock')
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      mkdirSync(lock)
      writeFileSync(join(lock, 'owner.json'), JSON.stringify(selfIdentity()))
      break
    } catch {
      if (!ownerAlive(lock)) rmSync(lock, { recursive: true, force: true })
      else if (Date.now() > deadline) throw new Error(`${lock} held for over 60 s by a live process`)
      else await sleep(50)
    }
  }
  try {
    return await fn()
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

function ownerAlive(lock: string): boolean {
  try {
    const owner = JSON.parse(readFileSync(join(lock, 'owner.json'), 'utf8')) as { pid: number; startTime: string }
    return isAlive(owner.pid, owner.startTime)
  } catch {
    // Just created (owner.json follows), unless its creator died in between long ago.
    try { return Date.now() - statSync(lock).mtimeMs < 5000 } catch { return false }
  }
}
