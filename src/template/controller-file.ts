/**
 * Reading a controller file a template names (lookup('file'|'template'), {% include %}, a
 * template's src): only a regular file, no larger than a render may write. A FIFO, a device or a
 * sparse 3 GB file would otherwise block tend's one thread (past SIGTERM) or exhaust its heap.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import { DEFAULT_LIMITS } from './evaluate.js'

export class ControllerFileError extends Error {
  constructor(readonly file: string, readonly reason: string, readonly code?: string) {
    super(`${file}: ${reason}`)
  }
}

/** The file's text as UTF-8; throws ControllerFileError with the reason (ENOENT, not a regular file, too large). */
export function readControllerText(file: string, maxBytes = DEFAULT_LIMITS.output): string {
  let fd: number
  try {
    // O_NONBLOCK: opening a FIFO no one writes returns at once instead of waiting for a writer.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ControllerFileError(file, code ?? String(error), code)
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) throw new ControllerFileError(file, 'not a regular file')
    if (stat.size > maxBytes) throw new ControllerFileError(file, `${stat.size} bytes, more than the ${maxBytes} a render may write`)
    const buffer = Buffer.alloc(stat.size)
    let read = 0
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read)
      if (n === 0) break
      read += n
    }
    return buffer.subarray(0, read).toString('utf8')
  } finally {
    closeSync(fd)
  }
}
