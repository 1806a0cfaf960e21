/**
 * A command's output, kept up to a cap (issue 20: 100 MB of output cost 1.6 GB of memory). Past the
 * cap, bytes are counted and let go at once, so a command printing without end costs the cap and
 * no more. Both transports keep stdout and stderr this way; the result says how much was dropped.
 */
import { DEFAULT_OUTPUT_CAP, parseSize } from '../limits.js'
import type { ExecResult } from './types.js'

/**
 * The cap in force: `TEND_OUTPUT_CAP` (bytes, or `512k`, `10M`, `1G`; set by `--output-cap`),
 * else 10 MiB. The CLI refuses a malformed value before anything runs (cli/output-cap.ts); here one
 * that slipped through counts as unset.
 */
export function outputCap(): number {
  const configured = process.env.TEND_OUTPUT_CAP
  return (configured === undefined ? undefined : parseSize(configured)) ?? DEFAULT_OUTPUT_CAP
}

/**
 * Chunks kept up to `cap` bytes. An Array, so zx can use it as its output store as it is (it
 * pushes, iterates and reads the last element); `push` is the one place where bytes are kept.
 */
export class CappedChunks extends Array<Buffer | string> {
  kept = 0
  dropped = 0
  private cap = DEFAULT_OUTPUT_CAP

  static capped(cap: number): CappedChunks {
    const chunks = new CappedChunks()
    chunks.cap = cap
    return chunks
  }

  // Array methods that build arrays (map, filter…) would call the constructor with a length.
  static override get [Symbol.species](): ArrayConstructor {
    return Array
  }

  override push(...items: (Buffer | string)[]): number {
    for (const item of items) {
      const chunk = typeof item === 'string' ? Buffer.from(item, 'utf8') : item
      const room = this.cap - this.kept
      if (chunk.length <= room) {
        super.push(chunk)
        this.kept += chunk.length
        continue
      }
      // A copy of the part kept, so the rest of a large chunk can be collected.
      if (room > 0) super.push(Buffer.from(chunk.subarray(0, room)))
      this.kept += Math.max(0, room)
      this.dropped += chunk.length - Math.max(0, room)
    }
    return this.length
  }

  /** Decoded once, whole: a UTF-8 character split across two chunks stays one character. */
  text(): string {
    return Buffer.concat(this.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))).toString('utf8')
  }
}

/** zx's "stdall" store (stdout and stderr interleaved), which tend never reads: nothing is kept. */
export class NoChunks extends Array<Buffer | string> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array
  }

  override push(): number {
    return 0
  }
}

/** A finished command's result from its capped streams, saying what was dropped if anything was. */
export function withOutput(exitCode: number, stdout: CappedChunks, stderr: CappedChunks, cap: number): ExecResult {
  const result = { exitCode, stdout: stdout.text(), stderr: stderr.text() }
  if (stdout.dropped === 0 && stderr.dropped === 0) return result
  return { ...result, truncated: { cap, stdoutDropped: stdout.dropped, stderrDropped: stderr.dropped } }
}

/** The line a truncated stream's result carries, in the words of its cap. */
export function droppedLine(stream: 'stdout' | 'stderr', dropped: number, cap: number): string {
  return `${stream}: ${dropped} bytes past the output cap of ${cap} bytes were dropped (TEND_OUTPUT_CAP or --output-cap sets the cap)`
}
