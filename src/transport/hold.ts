import type { Readable } from 'node:stream'

const MAX_FIRST_LINE = 64 * 1024

/**
 * The first line a held command prints on `stdout`. Rejects when the stream ends first (the
 * command exited without a verdict) or the signal fires.
 */
export function firstLineOf(stdout: Readable, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = ''
    const done = (): void => {
      stdout.off('data', onData)
      stdout.off('end', onEnd)
      signal?.removeEventListener('abort', onAbort)
    }
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8')
      const newline = text.indexOf('\n')
      if (newline < 0 && text.length > MAX_FIRST_LINE) {
        // A host that prints without end and never a newline gets no more memory than this.
        done()
        reject(new Error(`the held command printed more than ${MAX_FIRST_LINE} characters without a line`))
        return
      }
      if (newline < 0) return
      done()
      resolve(text.slice(0, newline))
    }
    const onEnd = (): void => {
      done()
      reject(new Error(`the held command ended without a line${text === '' ? '' : `: ${text.trim()}`}`))
    }
    const onAbort = (): void => {
      done()
      reject(signal?.reason)
    }
    if (signal?.aborted) return onAbort()
    signal?.addEventListener('abort', onAbort, { once: true })
    stdout.on('data', onData)
    stdout.once('end', onEnd)
    stdout.once('close', onEnd)
  })
}
