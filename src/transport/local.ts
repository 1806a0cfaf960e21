import { spawn } from 'node:child_process'
import { connect } from 'node:net'
import type { Duplex } from 'node:stream'
// zx/core: the `$` alone; 'zx' also loads its fetch, globby, fs-extra and yaml (~60 ms at every local run).
import { $ } from 'zx/core'
import { withBecome } from './quote.js'
import { firstLineOf } from './hold.js'
import { CappedChunks, NoChunks, outputCap, withOutput } from './capped.js'
import { refuseNul } from './nul.js'
import type { ExecOptions, ExecResult, Held, Transport } from './types.js'
import { CommandTimeoutError, abortReason } from './types.js'

/**
 * Runs commands on the controller itself. zx is used with per-call options only: the global `$`
 * is shared mutable state and many hosts converge at once.
 *
 * Every command runs in a process group of its own (`detached`: setsid), as a command over ssh
 * runs in the remote session: a Ctrl-C at the terminal signals tend's group only, and tend alone
 * decides what it means (the change in hand finishes; a second one abandons it).
 */
export class LocalTransport implements Transport {
  readonly machine = 'local'

  constructor(readonly host: string = 'localhost') {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    refuseNul(argv)
    const words = withBecome(argv, options.become?.user)
    const cap = options.outputCap ?? outputCap()
    const store = { stdout: CappedChunks.capped(cap), stderr: CappedChunks.capped(cap), stdall: new NoChunks() }
    const run = $({
      store,
      nothrow: true,
      quiet: true,
      verbose: false,
      detached: true,
      input: options.stdin,
      signal: options.signal,
      timeout: options.timeoutMs,
    })
    const started = Date.now()
    const output = await run`${words}`
    if (options.signal?.aborted && output.exitCode === null) {
      throw new CommandTimeoutError(argv, Date.now() - started, abortReason(options.signal))
    }
    if (options.timeoutMs !== undefined && output.signal === 'SIGTERM' && output.exitCode === null) {
      throw new CommandTimeoutError(argv, options.timeoutMs)
    }
    return withOutput(output.exitCode ?? 128, store.stdout, store.stderr, cap)
  }

  openTcp(address: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: address, port, signal })
      socket.once('connect', () => resolve(socket))
      socket.once('error', reject)
    })
  }

  /** A child whose stdin is a pipe from this process: if tend dies, the pipe closes and the child ends. */
  async hold(argv: readonly string[], signal?: AbortSignal): Promise<Held> {
    const [file, ...args] = argv
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'ignore'], detached: true })
    const ended = new Promise<void>((resolve) => child.once('close', () => resolve()))
    const release = async (): Promise<void> => {
      child.stdin.end()
      await Promise.race([ended, new Promise((resolve) => setTimeout(resolve, 2000).unref())])
    }
    try {
      return { firstLine: await firstLineOf(child.stdout, signal), release }
    } catch (error) {
      child.kill()
      throw error
    }
  }

  async close(): Promise<void> {}
}
