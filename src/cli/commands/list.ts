/**
 * `tend run --list-hosts | --list-tasks | --list-tags`: what a run would touch, in
 * ansible-playbook's layout; nothing is contacted.
 */
import type { Inventory, Playbook, Task } from '../../playbook/model.js'
import { selectHosts } from '../../playbook/patterns.js'
import { inheritedTags, leafTasks } from '../../playbook/visit.js'
import { selectedByTags } from '../../engine/tags.js'

export type ListMode = 'hosts' | 'tasks' | 'tags'

interface Listed {
  readonly name: string
  readonly tags: readonly string[]
}

/** An include is dynamic: listed as itself, as ansible-playbook does. */
function flatten(tasks: readonly Task[]): Listed[] {
  return leafTasks(tasks).map((visited) => {
    const t = visited.task
    return { name: t.name ?? (t.type === 'include' ? t.label : t.type === 'module' ? t.module : 'block'), tags: inheritedTags(visited) }
  })
}

const tagList = (tags: readonly string[]) => `TAGS: [${tags.join(', ')}]`

export function listPlaybook(
  playbook: Playbook,
  inventory: Inventory,
  modes: readonly ListMode[],
  filter: { readonly limit?: ReadonlySet<string>; readonly tags: readonly string[]; readonly skipTags: readonly string[] },
): string {
  const out = ['', `playbook: ${playbook.file}`]
  for (const [i, play] of playbook.plays.entries()) {
    out.push('', `  play #${i + 1} (${play.hosts}): ${play.name}\t${tagList([])}`)
    const tasks = flatten(play.tasks).filter((t) => selectedByTags(t.tags, filter.tags, filter.skipTags))
    if (modes.includes('hosts')) {
      const hosts = selectHosts(inventory, play.hosts).filter((h) => filter.limit?.has(h) ?? true)
      out.push(`    pattern: ['${play.hosts}']`, `    hosts (${hosts.length}):`)
      for (const h of hosts) out.push(`      ${h}`)
    }
    // One push per line: spreading 250,000 lines into push() overflows the stack.
    if (modes.includes('tasks')) {
      out.push('    tasks:')
      for (const t of tasks) out.push(`      ${t.name}\t${tagList(t.tags)}`)
    }
    if (modes.includes('tags')) out.push(`      TASK ${tagList([...new Set(tasks.flatMap((t) => t.tags))].sort())}`)
  }
  return out.join('\n') + '\n'
}
