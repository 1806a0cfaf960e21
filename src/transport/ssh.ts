import type { Duplex } from 'node:stream'
import type { Client } from 'ssh2'
import { shJoin, withBecome } from './quote.js'
import { ChannelLimiter, delay, isChannelRefusal } from './ssh-channels.js'
import { loadSshConfig, sshConfigPath } from './ssh-config.js'
import { connectEndpoint } from './ssh-connect.js'
import { connectionClosed } from './ssh-errors.js'
import { collect, openSession } from './ssh-exec.js'
import { PooledShell } from './ssh-shell.js'
import { outputCap } from './capped.js'
import { refuseNul } from './nul.js'
import { resolveEndpoint, type Endpoint, type SshTarget } from './ssh-target.js'
import { CommandTimeoutError, UnreachableError, abortReason } from './types.js'
import type { Become, ExecOptions, ExecResult, Held, Transport } from './types.js'
import { firstLineOf } from './hold.js'

export type { SshTarget } from './ssh-target.js'
export type { HostKeyPolicy } from './ssh-hostkey.js'

export interface SshOptions {
  readonly signal?: AbortSignal
  /** ssh_config file to honour instead of $TEND_SSH_CONFIG or ~/.ssh/config. */
  readonly configFile?: string
  /** Session channels open at once on the connection (sshd's MaxSessions defaults to 10). */
  readonly maxChannels?: number
}

/** How long a refused channel is retried before the command fails as unreachable. */
const CHANNEL_RETRY_MS = 30_000
/** Long-lived shells per connection (see PooledShell), of the 8 channels it may open; the rest serve commands with stdin. */
const MAX_SHELLS = 6

/** Opens the one connection this host's run uses. Throws UnreachableError, classified. */
export async function openSsh(target: SshTarget, options: SshOptions = {}): Promise<Transport> {
  const endpoint = resolveEndpoint(target, loadSshConfig(sshConfigPath(options.configFile)))
  const client = await connectEndpoint(endpoint, options.signal)
  return new SshTransport(target.host, endpoint, client, new ChannelLimiter(options.maxChannels ?? 8))
}

class SshTransport implements Transport {
  /** Set once the connection is gone; every later exec throws it. */
  private lost: UnreachableError | undefined
  private ended = false
  private readonly idleShells: PooledShell[] = []
  private readonly shellWaiters: ((shell: PooledShell | undefined) => void)[] = []
  private shells = 0
  readonly machine: string

  constructor(
    readonly host: string,
    endpoint: Endpoint,
    private readonly client: Client,
    private readonly channels: ChannelLimiter,
  ) {
    this.machine = `${endpoint.address}:${endpoint.port}`
    client.on('close', () => {
      this.ended = true
      this.lost ??= connectionClosed(host, `${endpoint.address}:${endpoint.port} closed the connection`)
    })
    client.on('error', (error: Error) => {
      this.lost ??= connectionClosed(host, error.message)
    })
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    refuseNul(argv)
    const command = shJoin(withBecome(argv, options.become?.user))
    const cap = options.outputCap ?? outputCap()
    const started = Date.now()
    const abort = new AbortController()
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => abort.abort(), options.timeoutMs)
    const onCallerAbort = (): void => abort.abort()
    options.signal?.addEventListener('abort', onCallerAbort, { once: true })
    if (options.signal?.aborted) abort.abort()
    try {
      // Commands with stdin need the channel's own stdin; the rest run in a pooled shell when one is free.
      const pooled = options.stdin === undefined ? await this.runPooled(command, options.become, abort.signal, cap) : undefined
      return pooled ?? (await this.run(command, options.become, options.stdin, abort.signal, cap))
    } catch (error) {
      if (!abort.signal.aborted || error instanceof UnreachableError) throw error
      // The caller's signal (deadline, second Ctrl-C) says why; only our own timer is a timeout.
      const stoppedBy = options.signal?.aborted ? abortReason(options.signal) : undefined
      throw new CommandTimeoutError(argv, stoppedBy === undefined ? options.timeoutMs ?? Date.now() - started : Date.now() - started, stoppedBy)
    } finally {
      clearTimeout(timer)
      options.signal?.removeEventListener('abort', onCallerAbort)
    }
  }

  private async run(command: string, become: Become | undefined, stdin: string | Buffer | undefined, signal: AbortSignal, cap: number): Promise<ExecResult> {
    const giveUpAt = Date.now() + CHANNEL_RETRY_MS
    for (let attempt = 1; ; attempt += 1) {
      this.throwIfLost()
      await this.channels.acquire(signal)
      let session
      try {
        session = await openSession(this.client, command)
      } catch (error) {
        if (isChannelRefusal(error) && !this.lost && Date.now() < giveUpAt) {
          this.channels.refused()
          // An idle pooled shell holds a session the server will not give twice: free one.
          this.idleShells.pop()?.close()
          this.channels.release()
          await delay(Math.min(20 * attempt, 250), signal)
          continue
        }
        this.channels.release()
        this.throwIfLost()
        throw connectionClosed(this.host, `cannot open a session channel: ${(error as Error).message}`)
      }
      this.channels.opened()
      session.stream.once('close', () => this.channels.release())
      const outcome = await collect(session, stdin, signal, cap)
      if (outcome.kind === 'exit') return outcome.result
      if (outcome.kind === 'aborted') {
        if (outcome.sessionPid !== undefined) await this.killSession(outcome.sessionPid, become)
        throw signal.reason
      }
      await delay(0)
      this.throwIfLost()
      // The connection is alive but this one command ended without a status (sshd sends none when
      // the session's shell is killed before it reports). Like OpenSSH's client, report exit 255:
      // a failed command, not an unreachable host.
      return { exitCode: 255, stdout: '', stderr: 'tend: the session channel closed without an exit status\n' }
    }
  }

  /** A result from a pooled shell, or undefined when no shell can be had (the caller opens a channel). */
  private async runPooled(command: string, become: Become | undefined, signal: AbortSignal, cap: number): Promise<ExecResult | undefined> {
    this.throwIfLost()
    const shell = await this.takeShell(signal)
    if (shell === undefined) return undefined
    const outcome = await shell.run(command, signal, cap)
    if (outcome === 'aborted') {
      // The command runs in the shell's process group: ending the group ends it and its children.
      if (shell.pid !== undefined) await this.killSession(shell.pid, become)
      shell.close()
      throw signal.reason
    }
    if (outcome === 'lost') {
      // The shell's channel and the connection close in the same read when the session is cut:
      // let the connection's close be seen before deciding it was only this command.
      await delay(0)
      this.throwIfLost()
      return { exitCode: 255, stdout: '', stderr: 'tend: the shell running the command ended without an exit status\n' }
    }
    this.giveBack(shell)
    return outcome
  }

  async warm(): Promise<void> {
    if (this.shells > 0 || this.lost !== undefined) return
    const shell = await this.newShell()
    if (shell !== undefined) this.giveBack(shell)
  }

  /** An idle shell, a new one if the limits allow, else the next one given back. */
  private async takeShell(signal: AbortSignal): Promise<PooledShell | undefined> {
    const idle = this.idleShells.pop() ?? (await this.newShell())
    if (idle !== undefined || this.shells === 0) return idle
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.shellWaiters.splice(this.shellWaiters.indexOf(grant), 1)
        reject(signal.reason)
      }
      const grant = (shell: PooledShell | undefined): void => {
        signal.removeEventListener('abort', onAbort)
        resolve(shell)
      }
      signal.addEventListener('abort', onAbort, { once: true })
      this.shellWaiters.push(grant)
    })
  }

  private giveBack(shell: PooledShell): void {
    const waiter = this.shellWaiters.shift()
    if (waiter) waiter(shell)
    else this.idleShells.push(shell)
  }

  private async newShell(): Promise<PooledShell | undefined> {
    if (this.shells >= MAX_SHELLS || !this.channels.tryAcquire()) return undefined
    this.shells += 1
    const shell = await PooledShell.open(this.client).catch((error: unknown) => {
      if (isChannelRefusal(error)) this.channels.refused()
      return undefined
    })
    if (shell === undefined) {
      this.shells -= 1
      this.channels.release()
      return undefined
    }
    shell.onClose(() => {
      this.shells -= 1
      this.channels.release()
      const index = this.idleShells.indexOf(shell)
      if (index >= 0) this.idleShells.splice(index, 1)
      // Waiters for a shell fall back to channels of their own when none is left.
      if (this.shells === 0) for (const waiter of this.shellWaiters.splice(0)) waiter(undefined)
    })
    return shell
  }

  /**
   * SIGTERM to the aborted command's process group, as the same user; best effort, but awaited:
   * a run that ends right after a timed-out task closes the connection, and a kill not yet sent
   * then never is (the command would outlive its timeout on the host).
   * No `--`: dash's builtin kill (the pooled shells' /bin/sh on Debian) rejects it.
   */
  private async killSession(pid: number, become: Become | undefined): Promise<void> {
    if (this.lost) return
    await this.exec(['kill', '-TERM', `-${pid}`], { become, timeoutMs: 10_000 }).catch(() => undefined)
  }

  /**
   * A session channel of its own whose stdin stays open: sshd closes the command's stdin when the
   * channel or the connection closes, so a lock it holds dies with this controller.
   */
  async hold(argv: readonly string[], signal?: AbortSignal): Promise<Held> {
    this.throwIfLost()
    const never = new AbortController().signal
    await this.channels.acquire(signal ?? never)
    let session
    try {
      session = await openSession(this.client, shJoin(argv))
    } catch (error) {
      this.channels.release()
      this.throwIfLost()
      throw connectionClosed(this.host, `cannot open a session channel: ${(error as Error).message}`)
    }
    const { stream } = session
    const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()))
    void closed.then(() => this.channels.release())
    const release = async (): Promise<void> => {
      stream.end()
      await Promise.race([closed, delay(2000, never).catch(() => undefined)])
    }
    try {
      return { firstLine: await firstLineOf(stream, signal), release }
    } catch (error) {
      stream.close()
      this.throwIfLost()
      throw error
    }
  }

  openTcp(address: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    this.throwIfLost()
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      this.client.forwardOut('127.0.0.1', 0, address, port, (error, stream) => {
        if (error) return reject(new Error(`${this.host}: cannot open TCP ${address}:${port} from the host: ${error.message}`))
        if (signal?.aborted) {
          stream.destroy()
          return reject(signal.reason)
        }
        signal?.addEventListener('abort', () => stream.destroy(), { once: true })
        resolve(stream)
      })
    })
  }

  async close(): Promise<void> {
    this.lost ??= new UnreachableError(this.host, 'closed', `the connection to ${this.host} was closed by tend`)
    if (this.ended) return
    await new Promise<void>((resolve) => {
      this.client.once('close', () => resolve())
      this.client.end()
      setTimeout(resolve, 1000).unref()
    })
  }

  private throwIfLost(): void {
    if (this.lost) throw this.lost
  }
}
