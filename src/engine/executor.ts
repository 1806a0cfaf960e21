/**
 * The seam between the engine and where hosts converge. By default a batch's hosts converge in this
 * process (play.ts: forks, strategy). An executor replaces that for one batch: the queue
 * (src/queue/) hands each host to a worker and re-emits the worker's events through `run.emit`,
 * so the recap, renderers and exit codes are those of a local run. The engine never learns how.
 */
import type { HostOutcome } from './host.js'
import type { RunContext } from './state.js'
import type { PlayPlace } from './vars.js'

export interface BatchHooks {
  /** Why no further host should start (halted play or run, Ctrl-C), checked before each host. */
  readonly stopped: () => string | undefined
  /** Told once per host that failed or became unreachable (any_errors_fatal, max_fail_percentage). */
  readonly onDown: (host: string, state: 'failed' | 'unreachable') => void
  /** Called once per host after its events were emitted (the run's cursor: host-end). */
  readonly done: (outcome: HostOutcome) => void
}

/** Converges `place.batchHosts` with `place.play`; emits every host's events through `run.emit`. */
export type BatchExecutor = (run: RunContext, place: PlayPlace, hooks: BatchHooks) => Promise<readonly HostOutcome[]>
