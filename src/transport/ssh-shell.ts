import { randomBytes } from 'node:crypto'
import type { Client, ClientChannel } from 'ssh2'
import type { ExecResult } from './types.js'

/**
 * Long-lived `/bin/sh` sessions on one connection that run commands one after another. A command
 * then costs a fork in a shell that is already running, instead of sshd forking and exec'ing a
 * login shell for a new session channel (≈40 ms per command on a small host, most of a probe).
 * The idea of mitogen and of Ansible's persistent connections.
 *
 * Each command runs in a subshell with stdin from /dev/null (so `exit` or `cd` cannot touch the
 * shell), then the shell prints an end marker with a random token and the exit status on stdout
 * and stderr. Output is kept as bytes and split at the markers, so it arrives byte for byte.
 */
export class PooledShell {
  private readonly stdout = new Growing()
  private readonly stderr = new Growing()
  private waiting: (() => void) | undefined
  private closed = false
  private readonly closeListeners: (() => void)[] = []
  /** The shell's pid (the session's process group): what a timed-out command is killed through. */
  pid: number | undefined

  private constructor(private readonly stream: ClientChannel) {
    stream.on('data', (chunk: Buffer) => this.received(this.stdout, chunk))
    stream.stderr.on('data', (chunk: Buffer) => this.received(this.stderr, chunk))
    stream.on('close', () => {
      this.closed = true
      this.waiting?.()
      for (const listener of this.closeListeners) listener()
    })
  }

  /** Starts a shell on the connection; it reports its pid first (see `pid`). */
  static open(client: Client): Promise<PooledShell> {
    return new Promise((resolve, reject) => {
      try {
        client.exec('echo __tend_shell=$$ >&2; exec /bin/sh', (error, stream) => (error ? reject(error) : resolve(new PooledShell(stream))))
      } catch (error) {
        reject(error)
      }
    })
  }

  /** Called once when the shell's channel is gone. */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener)
  }

  /** Runs one command (already shJoin'ed); `lost` when the shell died under it. */
  async run(command: string, signal: AbortSignal, cap: number): Promise<ExecResult | 'lost' | 'aborted'> {
    this.stdout.cap = cap
    this.stderr.cap = cap
    const token = randomBytes(8).toString('hex')
    const end = `__tend_end_${token}`
    this.stream.write(`(${command}) </dev/null; __tend_rc=$?; printf '\\n${end} %d\\n' "$__tend_rc"; printf '\\n${end}\\n' >&2\n`)
    // Anchored at the end: the marker is the last thing the shell writes for this command.
    const outMarker = new RegExp(`\\n${end} (\\d+)\\n$`)
    const errMarker = new RegExp(`\\n${end}\\n$`)
    const within = end.length + 16
    for (;;) {
      this.pid ??= this.stderr.takePid()
      const out = this.stdout.findAtEnd(outMarker, within)
      const err = this.stderr.findAtEnd(errMarker, within)
      if (out !== undefined && err !== undefined) {
        const stdout = this.stdout.take(out.index, out.length)
        const stderr = this.stderr.take(err.index, err.length)
        const result = { exitCode: Number(out.match[1]), stdout: stdout.text, stderr: stderr.text }
        if (stdout.dropped === 0 && stderr.dropped === 0) return result
        return { ...result, truncated: { cap, stdoutDropped: stdout.dropped, stderrDropped: stderr.dropped } }
      }
      if (this.closed) return 'lost'
      if (signal.aborted) return 'aborted'
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve()
        signal.addEventListener('abort', onAbort, { once: true })
        this.waiting = () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        }
      })
      this.waiting = undefined
    }
  }

  close(): void {
    this.closed = true
    this.stream.close()
  }

  private received(into: Growing, chunk: Buffer): void {
    into.push(chunk)
    this.waiting?.()
  }
}

/**
 * Bytes received so far on one stream of a shell. A command's end marker is the last thing the
 * shell writes for it, so only the newest bytes (`recent`) are searched, and chunks are joined once,
 * when the command is done: a long output (a file read through base64) costs no rescans or
 * recopies. Past `cap` bytes (plus room for the marker) chunks are counted, not kept, so a command
 * that prints without end costs the cap and no more.
 */
class Growing {
  private chunks: Buffer[] = []
  /** Bytes in `chunks`. */
  private kept = 0
  /** Bytes received since the last command ended (kept or not). */
  private received = 0
  /** The last RECENT bytes received, where the end marker is looked for. */
  private recent: Buffer = Buffer.alloc(0)
  cap = Number.MAX_SAFE_INTEGER

  push(chunk: Buffer): void {
    this.received += chunk.length
    this.recent = chunk.length >= RECENT ? Buffer.from(chunk.subarray(chunk.length - RECENT)) : lastBytes([this.recent, chunk], RECENT)
    const room = this.cap + RECENT - this.kept
    if (room <= 0) return
    const keep = chunk.length <= room ? chunk : Buffer.from(chunk.subarray(0, room))
    this.chunks.push(keep)
    this.kept += keep.length
  }

  /** The marker at the very end of what was received; `within` bounds its length in bytes. */
  findAtEnd(pattern: RegExp, within: number): { index: number; length: number; match: RegExpExecArray } | undefined {
    const tail = this.recent.subarray(Math.max(0, this.recent.length - within))
    const match = pattern.exec(tail.toString('latin1'))
    return match ? { index: this.received - tail.length + match.index, length: match[0].length, match } : undefined
  }

  /** The shell's start-up report `__tend_shell=PID` (it precedes any command's output), removed. */
  takePid(): number | undefined {
    const all = Buffer.concat(this.chunks)
    const match = /__tend_shell=(\d+)\n/.exec(all.toString('latin1'))
    if (!match) return undefined
    this.chunks = [all.subarray(0, match.index), all.subarray(match.index + match[0].length)]
    this.kept = all.length - match[0].length
    // Nothing was dropped yet when the report is still in the window: the window is rebuilt.
    if (this.received === all.length) this.recent = lastBytes(this.chunks, RECENT)
    this.received -= match[0].length
    return Number(match[1])
  }

  /** Removes and decodes what came before the marker (up to the cap), and the marker. */
  take(markerIndex: number, markerLength: number): { text: string; dropped: number } {
    const all = Buffer.concat(this.chunks)
    const end = markerIndex + markerLength
    const rest: Buffer = end <= all.length ? all.subarray(end) : Buffer.alloc(0)
    this.chunks = [rest]
    this.kept = rest.length
    this.received = rest.length
    this.recent = lastBytes([rest], RECENT)
    return { text: all.subarray(0, Math.min(markerIndex, this.cap)).toString('utf8'), dropped: Math.max(0, markerIndex - this.cap) }
  }
}

/** Room for the end marker (`\n__tend_end_TOKEN RC\n`) however the cap falls. */
const RECENT = 256

function lastBytes(parts: readonly Buffer[], count: number): Buffer {
  const joined = Buffer.concat(parts)
  return joined.length <= count ? joined : Buffer.from(joined.subarray(joined.length - count))
}
