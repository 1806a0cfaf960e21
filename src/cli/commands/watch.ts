/** `tend watch PLAYBOOK --every DURATION`: converge every host once per interval until stopped. */
import { connectFactory } from '../connect.js'
import { resolveLimit } from '../limit.js'
import { loadInputs } from '../load-inputs.js'
import { DEFAULT_INVENTORY, type WatchFlags } from '../flags.js'
import { stateDirOf } from '../../state/dir.js'
import type { Inventory } from '../../playbook/model.js'
import { fleetPageForWatch } from '../../web/for-watch.js'
import type { FleetPage } from '../../web/handler.js'
import type { CycleConfig } from '../../watch/cycle.js'
import { FleetSchedule } from '../../watch/schedule.js'
import { runWatch, type WatchRun } from '../../watch/service.js'
import { longRunningSignals } from '../signals.js'
import { ConfigError } from '../../errors.js'
import { chooseWatchRenderer } from '../render/choose.js'
import { queueUrlOf } from '../queue-url.js'

/** --queue: the schedule in Redis, cycles on workers (BullMQ loaded only then). */
async function queueLoop(playbookFile: string, url: string, flags: WatchFlags): Promise<NonNullable<WatchRun['loop']>> {
  const [{ parseQueueUrl }, { queueProblems }, { QueueWatch }] = await Promise.all([
    import('../../queue/url.js'), import('../../queue/files.js'), import('../../queue/watch.js'),
  ])
  const endpoint = parseQueueUrl(url)
  return async ({ first, runId, schedule, emit, registry }) => {
    const problems = queueProblems(first.playbook)
    if (problems.length > 0) throw new ConfigError(problems)
    return QueueWatch.open(first, {
      endpoint, runId, playbookFile, everyMs: flags.every, splayMs: flags.splay ?? 0, schedule, emit, registry,
      ...(flags.rate !== undefined && { rate: flags.rate }),
    })
  }
}

export async function watchCommand(playbookFile: string, flags: WatchFlags): Promise<number> {
  const queueUrl = queueUrlOf(flags, false)
  const inventoryFile = flags.inventory ?? DEFAULT_INVENTORY
  /** The last good inventory: the fleet page searches its groups. */
  let inventoryNow: Inventory | undefined
  // Read again on SIGHUP: nothing of a broken edit is used until all of it validates.
  const load = async (): Promise<CycleConfig> => {
    const { playbook, inventory, extraVars } = await loadInputs(playbookFile, inventoryFile, flags.extraVars ?? [])
    const limit = flags.limit === undefined ? undefined : await resolveLimit(inventory, flags.limit)
    inventoryNow = inventory
    return {
      playbook, inventory,
      options: {
        check: false, diff: false, forks: 1, tags: flags.tags ?? [], skipTags: flags.skipTags ?? [], extraVars, limit,
        stepTimeoutSeconds: flags.stepTimeout,
      },
    }
  }
  let schedule: FleetSchedule | undefined
  let page: FleetPage | undefined
  const stateDir = stateDirOf(flags.stateDir)
  const renderer = await chooseWatchRenderer(flags.json === true, () => schedule)
  try {
    return await runWatch({
      playbookFile, load,
      signals: longRunningSignals,
      connect: () => connectFactory({ acceptNewHostKeys: flags.acceptNewHostKeys === true, signal: new AbortController().signal }),
      stateDir,
      everyMs: flags.every, splayMs: flags.splay ?? 0, rate: flags.rate, forks: flags.forks, keepMs: flags.keep ?? 30 * 86_400_000, graceMs: flags.grace ?? 60_000,
      listen: flags.metrics,
      // The fleet page at / on the same listener as /metrics and /healthz.
      mount: (s) => {
        page = fleetPageForWatch({
          stateDir, schedule: s,
          groupsOf: (host) => inventoryNow?.hosts.get(host)?.groups.filter((g) => g !== 'all' && g !== 'ungrouped') ?? [],
        })
        return [page]
      },
      onSchedule: (s) => {
        schedule = s
      },
      emit: (event) => {
        try {
          renderer.emit(event)
        } catch (error) {
          process.stderr.write(`tend: renderer failed on ${event.type}: ${String(error)}\n`)
        }
      },
      warn: (text) => process.stderr.write(`tend: ${text}\n`),
      ...(queueUrl !== undefined && { loop: await queueLoop(playbookFile, queueUrl, flags) }),
    })
  } finally {
    page?.close()
    await renderer.finish()
  }
}
