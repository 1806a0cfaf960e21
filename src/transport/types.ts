import type { Duplex } from 'node:stream'

/** Privilege escalation for one command: `sudo -n -u USER --` on the target. */
export interface Become {
  readonly user: string
}

export interface ExecOptions {
  readonly signal?: AbortSignal
  readonly timeoutMs?: number
  readonly stdin?: string | Buffer
  readonly become?: Become
  /** Bytes of stdout, and again of stderr, to keep (default: transport/capped.ts's outputCap()). */
  readonly outputCap?: number
}

/** A finished command. A non-zero exit is data, not an exception. */
export interface ExecResult {
  readonly exitCode: number
  readonly stdout: string
  readonly stderr: string
  /**
   * Present when output went past the cap: the bytes dropped from the end of each stream (what
   * was kept is the first `outputCap` bytes).
   */
  readonly truncated?: { readonly cap: number; readonly stdoutDropped: number; readonly stderrDropped: number }
}

/**
 * How tend reaches a host. Two implementations: local (zx) and ssh (ssh2).
 * Only "cannot reach the host" throws (UnreachableError); everything a command does is an ExecResult.
 */
export interface Transport {
  /** Inventory name of the host this transport reaches. */
  readonly host: string
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>
  /**
   * A TCP stream opened from the target host's own network view (ssh: direct-tcpip channel),
   * so HTTP checks reach 127.0.0.1:PORT on the host without curl there.
   */
  openTcp(address: string, port: number, signal?: AbortSignal): Promise<Duplex>
  /**
   * Starts argv on a channel (or process) of its own whose stdin stays open, and resolves with the
   * first line it prints. The command sees EOF on stdin when `release()` is called, when the
   * connection drops or when the controller dies, so whatever it holds (the host lock) goes with it.
   */
  hold(argv: readonly string[], signal?: AbortSignal): Promise<Held>
  /** Identifies the machine reached: inventory entries that reach one machine share its host lock. */
  readonly machine: string
  /**
   * Gets ready for the first command while something else is awaited (the host lock's channel):
   * ssh opens a pooled shell, so the lock and the shell cost one round trip together, not two.
   */
  warm?(): Promise<void>
  close(): Promise<void>
}

/** A command kept running by `Transport.hold`. */
export interface Held {
  readonly firstLine: string
  /** Closes the command's stdin and waits (briefly) for it to end. */
  release(): Promise<void>
}

export type UnreachableReason = 'refused' | 'timeout' | 'dns' | 'auth' | 'host-key' | 'closed' | 'other'

/** The host cannot be reached or talked to; the recap counts it as `unreachable`. */
export class UnreachableError extends Error {
  constructor(
    readonly host: string,
    readonly reason: UnreachableReason,
    message: string,
    readonly hint?: string,
  ) {
    super(message)
    this.name = 'UnreachableError'
  }
}

/**
 * A command that exceeded its timeout or was stopped by its caller (`stoppedBy`: the task's
 * deadline, a second Ctrl-C); the engine turns it into a task failure. The message names the
 * command briefly: a `sh -c SCRIPT NAME ARGS…` is shown as `NAME ARGS…`, never the whole script.
 */
export class CommandTimeoutError extends Error {
  constructor(readonly argv: readonly string[], readonly timeoutMs: number, readonly stoppedBy?: string) {
    super(stoppedBy === undefined
      ? `command timed out after ${timeoutMs} ms: ${briefCommand(argv)}`
      : `command stopped (${stoppedBy}) after ${timeoutMs} ms: ${briefCommand(argv)}`)
    this.name = 'CommandTimeoutError'
  }
}

/** `sh -c SCRIPT NAME ARGS…` → `NAME ARGS…`; other argv as is, cut at 200 characters. */
export function briefCommand(argv: readonly string[]): string {
  const shown = argv[0] === 'sh' && argv[1] === '-c' && argv.length > 3 ? argv.slice(3) : argv
  const text = shown.join(' ')
  return text.length <= 200 ? text : `${text.slice(0, 199)}…`
}

/** Why an AbortSignal fired, in words: the task deadline, or the interrupt's own reason. */
export function abortReason(signal: AbortSignal | undefined): string {
  const reason: unknown = signal?.reason
  if (reason instanceof Error && reason.name === 'TimeoutError') return 'the task deadline was reached'
  if (reason instanceof Error && reason.name === 'AbortError') return 'interrupted'
  if (reason instanceof Error) return reason.message
  return 'aborted'
}
