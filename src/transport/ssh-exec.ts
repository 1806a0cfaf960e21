import { constants } from 'node:os'
import type { Client, ClientChannel } from 'ssh2'
import type { ExecResult } from './types.js'

/** How a session channel ended: an exit status, our abort, or the connection vanished under it. */
export type ChannelOutcome =
  | { readonly kind: 'exit'; readonly result: ExecResult }
  | { readonly kind: 'aborted'; readonly sessionPid?: number }
  | { readonly kind: 'lost' }

/**
 * Opens a session channel running `command` (already shJoin'ed) through the login shell, which first
 * reports its pid on stderr (stripped again by collect). sshd makes that shell a session and process
 * group leader, so on timeout `kill -- -PID` stops the command and its children even where sshd
 * ignores signal requests (OpenSSH before 9.8 does for root logins, which run without privsep).
 */
export function openSession(client: Client, command: string): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(`echo $$ >&2; ${command}`, (error, stream) => (error ? reject(error) : resolve(stream)))
    } catch (error) {
      reject(error)
    }
  })
}

/**
 * Feeds stdin (then EOF, so readers of stdin never hang), collects output as bytes and decodes it
 * once at the end (a UTF-8 character may straddle two packets). On abort the remote process group
 * gets SIGTERM and the channel is closed; we do not wait for the host to confirm.
 */
export function collect(stream: ClientChannel, stdin: string | Buffer | undefined, signal: AbortSignal): Promise<ChannelOutcome> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = []
    const stderr = new StderrAfterPid()
    let exitCode: number | undefined
    stream.on('data', (chunk: Buffer) => stdout.push(chunk))
    stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    stream.on('exit', (code: number | null, signalName?: string) => {
      exitCode = code ?? 128 + signalNumber(signalName)
    })
    const onAbort = (): void => {
      sendSignal(stream, 'TERM')
      stream.close()
      resolve({ kind: 'aborted', sessionPid: stderr.pid })
    }
    stream.on('close', () => {
      signal.removeEventListener('abort', onAbort)
      if (exitCode === undefined) return resolve({ kind: 'lost' })
      const decode = (chunks: readonly Buffer[]): string => Buffer.concat(chunks).toString('utf8')
      resolve({ kind: 'exit', result: { exitCode, stdout: decode(stdout), stderr: decode(stderr.chunks) } })
    })
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    stream.end(stdin)
  })
}

/** The command's stderr, minus the first line, which is the session shell's pid. */
class StderrAfterPid {
  readonly chunks: Buffer[] = []
  pid: number | undefined
  private head: Buffer | undefined = Buffer.alloc(0)

  push(chunk: Buffer): void {
    if (this.head === undefined) return void this.chunks.push(chunk)
    const joined = Buffer.concat([this.head, chunk])
    const newline = joined.indexOf(0x0a)
    if (newline < 0) return void (this.head = joined)
    this.head = undefined
    this.pid = Number(joined.subarray(0, newline).toString('latin1')) || undefined
    if (newline + 1 < joined.length) this.chunks.push(joined.subarray(newline + 1))
  }
}

/** `SIGKILL` → 9, as a shell reports 128+n for a command killed by signal n. */
function signalNumber(name: string | undefined): number {
  const key = (name?.startsWith('SIG') ? name : `SIG${name ?? ''}`) as keyof typeof constants.signals
  return constants.signals[key] ?? 0
}

/**
 * ssh2's Channel.signal() sends nothing once stdin is closed (it checks `writable`), but the SSH
 * protocol allows a signal request after EOF and sshd then kills the session's process group.
 * Every command here has stdin closed, so the request goes to the protocol layer directly.
 */
function sendSignal(stream: ClientChannel, name: string): void {
  const channel = stream as unknown as {
    outgoing?: { id?: number; state?: string }
    _client?: { _protocol?: { signal?: (id: number, signal: string) => void } }
  }
  const id = channel.outgoing?.id
  const state = channel.outgoing?.state
  if (id === undefined || (state !== 'open' && state !== 'eof')) return
  try {
    channel._client?._protocol?.signal?.(id, name)
  } catch {
    // The connection is already gone; closing the channel below is all that is left to do.
  }
}
