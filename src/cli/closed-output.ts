/**
 * A reader that goes away (`tend run … | head`, `grep -m1`, quitting `less`) closes tend's stdout
 * or stderr. That is not a reason to stop converging hosts half-way: from then on output to that
 * stream is dropped, the run goes on to its end, is recorded as it ended, and the exit status says
 * what happened to the hosts (as ansible-playbook does). Node ignores SIGPIPE; the write fails
 * with EPIPE instead, as an 'error' event, which would otherwise end tend with a stack trace.
 */
const closed = new Set<NodeJS.WriteStream>()

export function isClosed(stream: NodeJS.WriteStream): boolean {
  return closed.has(stream)
}

function guard(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // After the first EPIPE, writes to the destroyed stream fail too (ERR_STREAM_DESTROYED): all dropped.
    if (error.code === 'EPIPE' || closed.has(stream)) {
      closed.add(stream)
      return
    }
    throw error
  })
}

/** Installs the guard on stdout and stderr (once, at start). */
export function dropOutputToClosedReaders(): void {
  guard(process.stdout)
  guard(process.stderr)
}
