import { constants } from 'node:os'
import type { Client, ClientChannel } from 'ssh2'
import { CappedChunks, withOutput } from './capped.js'
import type { ExecResult } from './types.js'

/** How a session channel ended: an exit status, our abort, or the connection vanished under it. */
export type ChannelOutcome =
  | { readonly kind: 'exit'; readonly result: ExecResult }
  | { readonly kind: 'aborted'; readonly sessionPid?: number }
  | { readonly kind: 'lost' }

/** An open session channel, with its exit status as soon as the host reports it. */
export interface Session {
  readonly stream: ClientChannel
  exitCode(): number | undefined
}

/**
 * Opens a session channel running `command` (already shJoin'ed) through the login shell, which first
 * reports its pid on stderr (stripped again by collect). sshd makes that shell a session and process
 * group leader, so on timeout `kill -- -PID` stops the command and its children even where sshd
 * ignores signal requests (OpenSSH before 9.8 does for root logins, which run without privsep).
 *
 * The exit status is listened for at once: under load sshd's channel confirmation, output,
 * exit-status and close arrive in one read, and ssh2 emits 'exit' synchronously while parsing it,
 * before any later listener exists (output is buffered by the stream; the event is not).
 */
export function openSession(client: Client, command: string): Promise<Session> {
  return new Promise((resolve, reject) => {
    try {
      client.exec(`echo __tend_pid=$$ >&2; ${command}`, (error, stream) => {
        if (error) return reject(error)
        let exitCode: number | undefined
        stream.once('exit', (code: number | null, signalName?: string) => {
          exitCode = code ?? 128 + signalNumber(signalName)
        })
        resolve({ stream, exitCode: () => exitCode })
      })
    } catch (error) {
      reject(error)
    }
  })
}

/**
 * Feeds stdin (then EOF, so readers of stdin never hang), collects output as bytes and decodes it
 * once at the end (a UTF-8 character may straddle two packets), each stream up to `cap` bytes. On abort the remote process group
 * gets SIGTERM and the channel is closed; we do not wait for the host to confirm.
 */
export function collect(session: Session, stdin: string | Buffer | undefined, signal: AbortSignal, cap: number): Promise<ChannelOutcome> {
  const { stream } = session
  return new Promise((resolve) => {
    const stdout = CappedChunks.capped(cap)
    const stderr = new StderrAfterPid(cap)
    stream.on('data', (chunk: Buffer) => stdout.push(chunk))
    stream.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
    const onAbort = (): void => {
      sendSignal(stream, 'TERM')
      stream.close()
      resolve({ kind: 'aborted', sessionPid: stderr.pid })
    }
    stream.on('close', () => {
      signal.removeEventListener('abort', onAbort)
      const exitCode = session.exitCode()
      if (exitCode === undefined) return resolve({ kind: 'lost' })
      resolve({ kind: 'exit', result: withOutput(exitCode, stdout, stderr.chunks, cap) })
    })
    if (signal.aborted) return onAbort()
    signal.addEventListener('abort', onAbort, { once: true })
    stream.end(stdin)
  })
}

/**
 * The command's stderr without the shell's pid report. Startup files (.bashrc) may write to stderr
 * before it, so the report is found by its marker, and whatever preceded it is kept.
 */
class StderrAfterPid {
  private readonly parts: CappedChunks
  private head: Buffer | undefined = Buffer.alloc(0)
  pid: number | undefined

  constructor(cap: number) {
    this.parts = CappedChunks.capped(cap)
  }

  push(chunk: Buffer): void {
    if (this.head === undefined) return void this.parts.push(chunk)
    const joined = Buffer.concat([this.head, chunk])
    const text = joined.toString('latin1')
    const match = /__tend_pid=(\d+)\n/.exec(text)
    if (match === null) {
      if (joined.length > 65_536) this.flush(joined)
      else this.head = joined
      return
    }
    this.pid = Number(match[1])
    this.flush(Buffer.concat([joined.subarray(0, match.index), joined.subarray(match.index + match[0].length)]))
  }

  get chunks(): CappedChunks {
    if (this.head !== undefined) this.flush(this.head)
    return this.parts
  }

  private flush(rest: Buffer): void {
    this.head = undefined
    if (rest.length > 0) this.parts.push(rest)
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
