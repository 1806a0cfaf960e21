import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineEvent } from '../../src/engine/events.js'
import { runPlaybook } from '../../src/engine/run.js'
import { loadInventory, loadPlaybook } from '../../src/playbook/load.js'
import { LocalTransport } from '../../src/transport/local.js'
import type { RunOptions, RunSummary } from '../../src/engine/types.js'

/**
 * Test support: real playbook and inventory YAML files in a temp dir, loaded by the real loader,
 * run by the real engine on the local transport. Each host writes into its own directory `dir`.
 */
export interface Scene {
  readonly root: string
  dirOf(host: string): string
}

export async function scene(hosts: readonly string[] = ['h1', 'h2', 'h3']): Promise<Scene> {
  const root = await mkdtemp(join(tmpdir(), 'tend-engine-'))
  const lines = ['all:', '  hosts:']
  for (const host of hosts) {
    await mkdir(join(root, host))
    lines.push(`    ${host}:`, '      ansible_connection: local', `      dir: ${join(root, host)}`)
  }
  await writeFile(join(root, 'inventory.yaml'), lines.join('\n') + '\n')
  return { root, dirOf: (host) => join(root, host) }
}

export interface Ran {
  readonly events: readonly EngineEvent[]
  readonly summary: RunSummary
}

export type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>

/** `onEvent` sees each event as it is emitted (e.g. to interrupt the run at a chosen point). */
export async function run(
  at: Scene,
  playbookYaml: string,
  options: Partial<RunOptions> & { onEvent?: (event: EngineEvent) => void | Promise<void> } = {},
): Promise<Ran> {
  const file = join(at.root, 'playbook.yaml')
  await writeFile(file, playbookYaml)
  const playbook = await loadPlaybook(file)
  const inventory = await loadInventory(join(at.root, 'inventory.yaml'))
  const events: EngineEvent[] = []
  const summary = await runPlaybook(playbook, inventory, {
    check: false,
    diff: false,
    forks: 5,
    tags: [],
    skipTags: [],
    extraVars: {},
    stepTimeoutSeconds: 30,
    signal: new AbortController().signal,
    connect: async (host) => new LocalTransport(host.name),
    ...options,
  }, (event) => {
    events.push(event)
    void options.onEvent?.(event)
  })
  assertRecapAgrees(events, summary)
  return { events, summary }
}

export function taskEnds(ran: Ran, host?: string): TaskEnd[] {
  return ran.events.filter((e): e is TaskEnd => e.type === 'task-end' && (host === undefined || e.host === host))
}

/** `task@host:status` for each task-end, in event order: what a user reads in the plain output. */
export function outline(ran: Ran, host?: string): string[] {
  return taskEnds(ran, host).map((e) => `${e.task}@${e.host}:${e.status}`)
}

/** Per host, `task:status` in order (hosts converge concurrently, so only per-host order is defined). */
export function perHost(ran: Ran): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const e of taskEnds(ran)) (out[e.host] ??= []).push(`${e.task}:${e.status}`)
  return out
}

/** Lines of a file the tasks appended to; empty when it does not exist. */
export async function linesOf(file: string): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '')
  } catch {
    return []
  }
}

/** Resolves once the file has at least `count` lines (a task's command has got that far). */
export async function waitForLines(file: string, count: number): Promise<void> {
  while ((await linesOf(file)).length < count) await new Promise((resolve) => setTimeout(resolve, 50))
}

/**
 * Every run in these tests also checks: the recap is exactly the count of task-end statuses, as
 * Ansible counts them (a task that changed something, or whose failure was ignored, is also ok).
 */
function assertRecapAgrees(events: readonly EngineEvent[], summary: RunSummary): void {
  const counted: Record<string, Record<string, number>> = {}
  const add = (host: string, status: string) => ((counted[host] ??= {})[status] = (counted[host]?.[status] ?? 0) + 1)
  for (const e of events) {
    if (e.type !== 'task-end') continue
    add(e.host, e.status)
    if (e.status === 'changed' || e.status === 'ignored') add(e.host, 'ok')
  }
  for (const [host, counters] of Object.entries(summary.recap)) {
    for (const [status, n] of Object.entries(counters)) assert.equal(counted[host]?.[status] ?? 0, n, `recap ${host} ${status}`)
  }
  const types = events.map((e) => e.type)
  assert.equal(types[0], 'run-start')
  assert.deepEqual(types.slice(-2), ['recap', 'run-end'])
}
