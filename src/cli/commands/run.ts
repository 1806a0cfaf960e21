/** `tend run PLAYBOOK`: validate everything, then converge; the exit code is the engine's. */
import type { EngineEvent } from '../../engine/events.js'
import { runPlaybook } from '../../engine/run.js'
import { connectFactory } from '../connect.js'
import { handleInterrupts } from '../interrupt.js'
import { resolveLimit } from '../limit.js'
import { loadInputs } from '../load-inputs.js'
import { DEFAULT_INVENTORY, type RunFlags } from '../flags.js'
import { chooseRenderer } from '../render/choose.js'

/** Absent switches are off, absent lists empty. */
function withDefaults(flags: RunFlags) {
  return {
    ...flags,
    check: flags.check === true,
    diff: flags.diff === true,
    json: flags.json === true,
    acceptNewHostKeys: flags.acceptNewHostKeys === true,
    tags: flags.tags ?? [],
    skipTags: flags.skipTags ?? [],
    extraVars: flags.extraVars ?? [],
  }
}

export async function runCommand(playbookFile: string, given: RunFlags): Promise<number> {
  const flags = withDefaults(given)
  // Nothing below contacts a host until the playbook, inventory and variables validate.
  const { playbook, inventory, extraVars } = await loadInputs(playbookFile, flags.inventory ?? DEFAULT_INVENTORY, flags.extraVars)
  const limit = flags.limit === undefined ? undefined : await resolveLimit(inventory, flags.limit)
  const renderer = await chooseRenderer({ json: flags.json, check: flags.check })
  const interrupt = handleInterrupts((signalName) => renderer.interrupting(signalName))
  const emit = (event: EngineEvent) => {
    try {
      renderer.emit(event)
    } catch (error) {
      // A rendering bug must not stop convergence; it is reported, the run goes on.
      process.stderr.write(`tend: renderer failed on ${event.type}: ${String(error)}\n`)
    }
  }
  try {
    const summary = await runPlaybook(
      playbook,
      inventory,
      {
        check: flags.check,
        diff: flags.diff,
        forks: flags.forks,
        tags: flags.tags,
        skipTags: flags.skipTags,
        extraVars,
        limit,
        stepTimeoutSeconds: flags.stepTimeout,
        waitLockSeconds: flags.waitLock ?? 0,
        signal: interrupt.signal,
        abandon: interrupt.abandon,
        connect: connectFactory({ acceptNewHostKeys: flags.acceptNewHostKeys, signal: interrupt.signal }),
      },
      emit,
    )
    return summary.exitCode
  } finally {
    await renderer.finish()
    interrupt.dispose()
  }
}
