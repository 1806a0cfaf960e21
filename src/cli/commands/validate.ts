/** `tend validate PLAYBOOK`: every problem at once (exit 5), or a one-line all-clear. No host is contacted. */
import { ExitCode } from '../../exit-codes.js'
import type { Task } from '../../playbook/model.js'
import { DEFAULT_INVENTORY, type ValidateFlags } from '../flags.js'
import { loadInputs } from '../load-inputs.js'
import { leafTasks } from '../../playbook/visit.js'

const countTasks = (tasks: readonly Task[]): number => leafTasks(tasks).length

export async function validateCommand(playbookFile: string, flags: ValidateFlags): Promise<number> {
  const inventoryFile = flags.inventory ?? DEFAULT_INVENTORY
  const { playbook, inventory } = await loadInputs(playbookFile, inventoryFile, flags.extraVars ?? [])
  const plays = playbook.plays.length
  const tasks = playbook.plays.reduce((n, p) => n + countTasks(p.tasks) + p.handlers.length, 0)
  process.stdout.write(
    `${playbookFile}: valid (${plays} play${plays === 1 ? '' : 's'}, ${tasks} task${tasks === 1 ? '' : 's'}; ` +
      `inventory ${inventoryFile}: ${inventory.hosts.size} host${inventory.hosts.size === 1 ? '' : 's'})\n`,
  )
  return ExitCode.ok
}
