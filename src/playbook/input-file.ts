/**
 * Reading the files a playbook is made of (playbooks, task files, vars files, inventories, -e
 * @files): a regular file, symlinks followed, of at most MAX_INPUT_BYTES. A symlink to /dev/zero
 * read for 13 s into 670 MB before failing with "Invalid string length", and a FIFO no one writes
 * blocked tend for ever (issue 20). The file is opened without blocking (a FIFO opens at once)
 * and checked on its descriptor, so what is checked is what is read.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs'
import { open } from 'node:fs/promises'

/** More than any playbook or inventory a person writes; a 250,000-task playbook is 12 MB. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

function refusal(info: Stats): string | undefined {
  if (info.isDirectory()) return 'is a directory, not a file'
  if (!info.isFile()) {
    const kind = info.isFIFO() ? 'a FIFO' : info.isCharacterDevice() ? 'a character device' : info.isBlockDevice() ? 'a block device' : info.isSocket() ? 'a socket' : 'not a regular file'
    return `is ${kind}, not a regular file: tend reads its inputs from files`
  }
  if (info.size > MAX_INPUT_BYTES) return `is ${Math.round(info.size / 1024 / 1024)} MiB, more than the ${MAX_INPUT_BYTES / 1024 / 1024} MiB tend reads from one input file`
  return undefined
}

/** An Error whose message says what is wrong with the file (ENOENT keeps its code: "file not found"). */
class InputFileError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InputFileError'
  }
}

export async function readInput(file: string): Promise<string> {
  const handle = await open(file, FLAGS)
  try {
    const problem = refusal(await handle.stat())
    if (problem !== undefined) throw new InputFileError(problem)
    return await handle.readFile('utf8')
  } finally {
    await handle.close()
  }
}

export function readInputSync(file: string): string {
  const fd = openSync(file, FLAGS)
  try {
    const problem = refusal(fstatSync(fd))
    if (problem !== undefined) throw new InputFileError(problem)
    return readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}
