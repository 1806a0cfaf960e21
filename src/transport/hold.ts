import type { Readable } from 'node:stream'

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
