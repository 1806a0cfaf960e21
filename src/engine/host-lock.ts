/**
 * The host lock: at most one tend converges a machine at a time, whichever controller, process or
 * worker runs it. It lives on the host as an flock(1) held by a command on a channel of its own
 * (Transport.hold): when the controller releases it, exits, is killed or loses the connection,
 * sshd closes the command's stdin, the command ends and the kernel drops the lock. No stale lock
 * survives its holder (Puppet's agent lockfile does; tend's cannot).
 */
import { hostname } from 'node:os'
import type { Held, Transport } from '../transport/types.js'

/** Who holds a lock: shown to whoever finds the host busy. */
export interface LockOwner {
  /** The run, watch cycle or queue job converging the host. */
  readonly run: string
  readonly controller: string
  readonly pid: number
}

export const lockOwner = (run: string): LockOwner => ({ run, controller: hostname(), pid: process.pid })

export const describeOwner = (owner: LockOwner): string =>
  `run ${owner.run} (controller ${owner.controller}, pid ${owner.pid})`

/** The host is converged by someone else; `holder` says by whom when the host could tell. */
export class HostBusyError extends Error {
  constructor(readonly host: string, readonly holder: string, readonly waitedSeconds: number) {
    super(`${host} is locked by ${holder}${waitedSeconds > 0 ? ` (waited ${waitedSeconds} s)` : ''}`)
    this.name = 'HostBusyError'
  }
}

/** The lock could not be taken for a reason other than a holder (no flock on the host, …). */
export class HostLockError extends Error {
  constructor(readonly host: string, message: string) {
    super(`${host}: cannot take the host lock: ${message}`)
    this.name = 'HostLockError'
  }
}

/**
 * /run/lock is world-writable and sticky on Debian and most distributions; the lock file is opened
 * read-only so any user can flock a file another user created (flock needs no write access). The
 * owner file is best effort: with protected_regular, one user cannot rewrite another's.
 * TEND_LOCK_DIR moves it; only the controller's own machine (local transport) sees tend's
 * environment, so it is how test processes on one machine keep out of each other's way.
 */
const LOCK_SCRIPT = `
dir=\${TEND_LOCK_DIR:-/run/lock}; [ -d "$dir" ] && [ -w "$dir" ] || dir=/tmp
lock="$dir/tend.lock"
command -v flock >/dev/null 2>&1 || { echo "error flock(1) is missing on the host (package util-linux)"; exit 0; }
(umask 0; : >>"$lock") 2>/dev/null
exec 9<"$lock" || { echo "error cannot open $lock"; exit 0; }
if flock $2 9; then
  (umask 0; printf '%s\\n' "$1" >"$lock.owner") 2>/dev/null
  echo locked
  cat >/dev/null
else
  printf 'busy %s\\n' "$(head -c 512 "$lock.owner" 2>/dev/null)"
fi`

function waitFlag(waitSeconds: number): string {
  return waitSeconds > 0 ? `-w${Math.ceil(waitSeconds)}` : '-n'
}

function holderOf(text: string): string {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>
    if (typeof owner.run === 'string') return describeOwner(owner as LockOwner)
  } catch {
    // not ours, or empty: say what the host said
  }
  return text.trim() === '' ? 'another tend (holder unknown)' : text.trim()
}

/** Takes the machine's lock, waiting up to `waitSeconds` (0: fail at once with the holder). */
export async function lockHost(transport: Transport, owner: LockOwner, waitSeconds: number, signal?: AbortSignal): Promise<Held> {
  const argv = ['sh', '-c', LOCK_SCRIPT, 'tend-lock', JSON.stringify(owner), waitFlag(waitSeconds)]
  const held = await transport.hold(argv, signal)
  const [verdict, ...rest] = held.firstLine.split(' ')
  if (verdict === 'locked') return held
  await held.release()
  if (verdict === 'busy') throw new HostBusyError(transport.host, holderOf(rest.join(' ')), waitSeconds)
  throw new HostLockError(transport.host, rest.join(' ') || held.firstLine)
}

/** How long a lock set waits for a machine another tend holds, and what cuts the wait short. */
export interface LockWaitPolicy {
  /** 0: fail at once with the holder (tend run without --wait-lock, every watch cycle). */
  readonly waitSeconds: number
  readonly signal?: AbortSignal
}

/** One user's hold on a machine's lock; the flock goes when the last lease on the machine does. */
export interface LockLease {
  release(): Promise<void>
}

interface MachineEntry {
  readonly lock: Promise<Held>
  users: number
}

/**
 * The host locks one process holds: one flock per machine, however many inventory entries,
 * watch cycles or jobs reach it at once (they must not lock each other out), counted by lease and
 * released as soon as the last lease on the machine goes, so another tend can get in between.
 */
export class HostLockSet {
  private readonly held = new Map<string, MachineEntry>()

  constructor(private readonly policy: LockWaitPolicy) {}

  /**
   * Resolves once this process holds the machine's lock; rejects with HostBusyError or
   * HostLockError. `owner` is written on the host only by the lease that takes the flock.
   */
  async acquire(transport: Transport, owner: LockOwner): Promise<LockLease> {
    const machine = transport.machine
    let entry = this.held.get(machine)
    if (entry === undefined) {
      entry = { lock: lockHost(transport, owner, this.policy.waitSeconds, this.policy.signal), users: 0 }
      this.held.set(machine, entry)
    }
    entry.users += 1
    const mine = entry
    let released = false
    const release = async (): Promise<void> => {
      if (released) return
      released = true
      await this.leave(machine, mine)
    }
    try {
      await mine.lock
    } catch (error) {
      // A failed attempt is not kept: a later session may find the host free.
      await release()
      throw error
    }
    return { release }
  }

  private async leave(machine: string, entry: MachineEntry): Promise<void> {
    entry.users -= 1
    if (entry.users > 0) return
    if (this.held.get(machine) === entry) this.held.delete(machine)
    await entry.lock.then((held) => held.release(), () => undefined)
  }
}
