import type { Diagnostic } from '../errors.js'
import { MAGIC_VARIABLES, type IncludeTask, type Inventory, type Play, type Playbook, type Task, type TemplateSource, type Vars } from './model.js'
import { didYouMean } from './nearest.js'
import { selectHosts } from './patterns.js'
import { checkTemplateText, isTemplate, renderValue } from '../template/playbook.js'
import { FACT_NAMES } from '../modules/facts.js'
import { allTasks, walkTasks, type VisitedTask } from './visit.js'
import { withSourceLine } from './yaml-source.js'

/**
 * Checks that need the playbook and the inventory together, before any host is contacted:
 * host patterns that match nothing, notify naming no handler, variables defined nowhere.
 */
export function checkPlaybook(playbook: Playbook, inventory: Inventory, extraVars: Vars): readonly Diagnostic[] {
  const diagnostics: Diagnostic[] = []
  const registered = new Set<string>()
  for (const play of playbook.plays) {
    for (const task of allTasks([...play.tasks, ...play.handlers], { intoIncludes: true })) for (const name of definedBy(task, { ...play.vars, ...extraVars })) registered.add(name)
    const hosts = selectHosts(inventory, play.hosts)
    if (hosts.length === 0) diagnostics.push(emptyPattern(play, inventory))
    diagnostics.push(...unknownHandlers(play))
    diagnostics.push(...undefinedVariables(play, hosts, inventory, new Set([...MAGIC_VARIABLES, ...Object.keys(extraVars), ...registered])))
  }
  return diagnostics.map(withSourceLine)
}


/** A set_fact name written as a template, rendered with the play's variables when they tell (else none). */
function factName(key: string, vars: Vars, task: Task): string[] {
  if (!isTemplate(key)) return [key]
  try {
    const name = renderValue(key, vars, task.source)
    return typeof name === 'string' ? [name] : []
  } catch {
    return []
  }
}

/** Variables a task defines for the tasks after it: register, set_fact's names, gathered facts. */
function definedBy(task: Task, vars: Vars): string[] {
  if (task.type !== 'module') return []
  const args = task.args !== null && typeof task.args === 'object' ? Object.keys(task.args) : []
  return [
    ...(task.register ? [task.register] : []),
    ...(task.module === 'set_fact' ? args.filter((k) => k !== 'cacheable').flatMap((k) => factName(k, vars, task)) : []),
    ...(task.module === 'facts' ? FACT_NAMES : []),
  ]
}

function emptyPattern(play: Play, inventory: Inventory): Diagnostic {
  const where = play.hostsSource ?? play.source
  const names = [...inventory.groups.keys(), ...inventory.hosts.keys()]
  const guess = didYouMean(play.hosts, names)
  return {
    ...where,
    message: `hosts: \`${play.hosts}\` matches no host of the inventory (${inventory.files[0] ?? 'inventory'})`,
    hint: `${guess ? `${guess} ` : ''}Ansible would warn and skip this play; tend stops instead, so a typo cannot silently do nothing. Groups: ${[...inventory.groups.keys()].join(', ')}.`,
  }
}

function unknownHandlers(play: Play): Diagnostic[] {
  const topics = new Set(play.handlers.flatMap((h) => [h.name, ...h.listen]))
  const out: Diagnostic[] = []
  for (const task of allTasks(play.tasks, { intoIncludes: true })) {
    if (task.type !== 'module') continue
    for (const name of task.notify) {
      // A templated name is known per host only; its variables are checked like any template.
      if (topics.has(name) || isTemplate(name)) continue
      out.push({
        ...(task.notifySource ?? task.source),
        message: `notify: no handler named or listening to \`${name}\``,
        hint: didYouMean(name, topics, topics.size > 0 ? `handlers of this play: ${[...topics].join(', ')}` : 'This play has no handlers.'),
      })
    }
  }
  return out
}

/** Names defined for every host of the play, and those defined for some hosts only. */
function inventoryNames(hosts: readonly string[], inventory: Inventory): { all: Set<string>; some: Map<string, string[]> } {
  const perHost = hosts.map((h) => new Set(Object.keys(inventory.hosts.get(h)?.vars ?? {})))
  const union = new Set(perHost.flatMap((s) => [...s]))
  const all = new Set([...union].filter((n) => perHost.every((s) => s.has(n))))
  const some = new Map([...union].filter((n) => !all.has(n)).map((n) => [n, hosts.filter((_, i) => !perHost[i]!.has(n))]))
  return { all, some }
}

function checkTemplates(sources: Readonly<Record<string, TemplateSource>> | undefined, defined: Set<string>, some: Map<string, string[]>, owner: string): Diagnostic[] {
  const out: Diagnostic[] = []
  for (const t of Object.values(sources ?? {})) {
    const { text, expression, ...where } = t
    // Syntax and unknown filters were reported when the playbook was read (tasks.ts).
    const check = checkTemplateText(text, expression)
    if (check.problems.length) continue
    const names = check.variables
    for (const name of names) {
      if (defined.has(name)) continue
      const missingOn = some.get(name)
      out.push(
        missingOn
          ? { ...where, message: `variable \`${name}\` (used in ${owner}) is undefined on host(s) ${missingOn.join(', ')}`, hint: 'Define it for every host of the play (group vars), or use `| default(...)`.' }
          : {
              ...where,
              message: `undefined variable \`${name}\` in \`${text}\` (${owner})`,
              hint: FACT_NAMES.includes(name)
                ? 'A fact: add `gather_facts: true` to the play (tend\'s default is false, unlike Ansible\'s, because most runbooks need no facts).'
                : didYouMean(name, defined, 'Define it in the play/task `vars`, vars_files, the inventory, with `register`, or -e; or use `| default(...)`.'),
            },
      )
    }
  }
  return out
}

function undefinedVariables(play: Play, hosts: readonly string[], inventory: Inventory, base: Set<string>): Diagnostic[] {
  const { all, some } = inventoryNames(hosts, inventory)
  const playScope = new Set([...base, ...all, ...Object.keys(play.vars)])
  const out = checkTemplates(play.templateSources, playScope, some, `play "${play.name}"`)
  // A task sees its enclosing blocks' and includes' names: the scope of each is kept for its children.
  const scopes = new Map<VisitedTask, Set<string>>()
  // include_tasks is dynamic: what its tasks use may be bound only when it runs (Ansible checks
  // nothing ahead either); its files were still read and checked for everything else.
  const intoIncludes = (include: IncludeTask) => include.label.startsWith('include_role')
  for (const visited of walkTasks([...play.tasks, ...play.handlers], { intoIncludes })) {
    const { task } = visited
    const scope = visited.parent === undefined ? playScope : scopes.get(visited.parent) as Set<string>
    const loop = task.loop ? [task.loop.loopVar, 'ansible_loop_var', 'ansible_loop', ...(task.loop.indexVar ? [task.loop.indexVar, 'ansible_index_var'] : [])] : []
    const inner = new Set([...scope, ...Object.keys(task.vars), ...Object.keys(task.defaults ?? {}), ...loop])
    if (task.type === 'block' || task.type === 'include') scopes.set(visited, inner)
    out.push(...checkTemplates(task.templateSources, inner, some, `task "${task.name ?? (task.type === 'module' ? task.module : task.type === 'include' ? task.label : 'block')}"`))
  }
  return out
}
