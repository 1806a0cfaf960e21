/** Exit codes of `tend`, documented in the README and tested. Ansible's numbers where it has one. */
export const ExitCode = {
  ok: 0,
  /** A bug in tend or an unexpected error. */
  internal: 1,
  /** At least one host failed a task. */
  hostFailed: 2,
  /** A bare `tend`, without a command: the help on stderr (ansible-playbook's argparse exits 2 so too). */
  noCommand: 2,
  /** --check found drift: at least one task would change something. */
  driftFound: 3,
  /** At least one host was unreachable, and none failed. */
  unreachable: 4,
  /** Invalid playbook, inventory, variables or command line; no host was contacted. */
  invalidInput: 5,
  /** A rollout halted before its next batch (error budget exceeded, a recheck found a broken host); `tend resume` goes on. */
  rolloutHalted: 6,
  /** --queue: Redis unreachable at start or lost mid-run; hosts handed to workers finish there, nothing else starts. */
  queueUnavailable: 8,
  /** Interrupted (Ctrl-C / SIGINT / SIGTERM): running work was stopped, the recap printed. */
  interrupted: 130,
} as const

