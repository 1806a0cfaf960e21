import { ProbeError } from '../errors.js'

/**
 * A NUL byte cannot travel in an argument: C strings end at it, so `/etc/app.conf\0x` reaches the
 * host as `/etc/app.conf` and a task changes another file than the one it names (issue 20). The
 * playbook refuses literal ones at validation and rendered ones at task time; this is the last
 * guard, before anything leaves for a host, whatever built the argv. The task fails; nothing ran.
 */
export class NulArgumentError extends ProbeError {
  constructor(readonly argv: readonly string[], readonly index: number) {
    super(
      `refused to run a command: its argument ${index} holds a NUL byte (\\0), which would cut it short on the host`,
      'A path or argument cannot hold \\0; check the variable or host output it was built from.',
    )
    this.name = 'NulArgumentError'
  }
}

export function refuseNul(argv: readonly string[]): void {
  const index = argv.findIndex((word) => word.includes('\0'))
  if (index >= 0) throw new NulArgumentError(argv, index)
}
