/** `tend run PLAYBOOK`: validate everything, then converge; the exit code is the engine's. */
import type { EngineEvent } from '../../engine/events.js'
import { runPlaybook } from '../../engine/run.js'
import { connectFactory } from '../connect.js'
import { handleInterrupts } from '../interrupt.js'
import { resolveLimit } from '../limit.js'
import { loadInputs } from '../load-inputs.js'
import { DEFAULT_INVENTORY, type RunFlags } from '../flags.js'
import { chooseRenderer } from '../render/choose.js'
import type { CommandRecord } from '../../engine/api.js'
import { ExitCode } from '../../exit-codes.js'
import { ConfigError } from '../../errors.js'
import type { Playbook, Task } from '../../playbook/model.js'
import { matchesTaskName } from '../../engine/start-at.js'
import { applyConnectionDefaults } from '../connection-defaults.js'
import { commandLines } from '../verbose.js'
import { listPlaybook, type ListMode } from './list.js'

function listModes(flags: RunFlags): ListMode[] {
  return [flags.listHosts && 'hosts', flags.listTasks && 'tasks', flags.listTags && 'tags'].filter((m): m is ListMode => typeof m === 'string')
}

/** --start-at-task naming no task would silently run nothing: refuse it, as Ansible does. */
function checkStartAt(playbook: Playbook, wanted: string): void {
  const names = (tasks: readonly Task[]): (string | undefined)[] =>
    tasks.flatMap((t) => (t.type === 'block' ? names([...t.block, ...t.rescue, ...t.always]) : t.type === 'include' ? [t.name, ...names(t.tasks ?? [])] : [t.name]))
  const all = playbook.plays.flatMap((p) => names(p.tasks))
  if (all.some((n) => matchesTaskName(wanted, n))) return
  throw new ConfigError([{ file: playbook.file, line: 0, column: 0, message: `--start-at-task: no task named \`${wanted}\``, hint: `Task names: ${all.filter(Boolean).join(', ')}` }])
}

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
  if (flags.syntaxCheck === true) {
    const { validateCommand } = await import('./validate.js')
    return validateCommand(playbookFile, { inventory: flags.inventory, extraVars: flags.extraVars })
  }
  // Nothing below contacts a host until the playbook, inventory and variables validate.
  const loaded = await loadInputs(playbookFile, flags.inventory ?? DEFAULT_INVENTORY, flags.extraVars)
  const { playbook, extraVars } = loaded
  const inventory = applyConnectionDefaults(loaded.inventory, flags)
  const limit = flags.limit === undefined ? undefined : await resolveLimit(inventory, flags.limit)
  const listed = listModes(flags)
  if (listed.length > 0) {
    process.stdout.write(listPlaybook(playbook, inventory, listed, { limit, tags: flags.tags, skipTags: flags.skipTags }))
    return ExitCode.ok
  }
  if (flags.startAtTask !== undefined) checkStartAt(playbook, flags.startAtTask)
  const verbosity = Math.min(3, flags.verbose ?? 0)
  const renderer = await chooseRenderer({ json: flags.json, check: flags.check, verbosity })
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
        // -v shows changes with their diffs.
        diff: flags.diff || verbosity >= 1,
        forks: flags.forks,
        tags: flags.tags,
        skipTags: flags.skipTags,
        extraVars,
        limit,
        stepTimeoutSeconds: flags.stepTimeout,
        waitLockSeconds: flags.waitLock ?? 0,
        signal: interrupt.signal,
        ...(flags.startAtTask !== undefined && { startAtTask: flags.startAtTask }),
        ...(verbosity >= 2 && !flags.json && { onCommand: (record: CommandRecord) => process.stdout.write(commandLines(record, verbosity).join('\n') + '\n') }),
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
