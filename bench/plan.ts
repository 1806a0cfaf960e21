import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { resetToBaseline, stageScenario } from '../src/testbed/stage.js'
import { prepareAnsibleDir } from './ansible-env.js'
import type { BenchOptions } from './args.js'
import { targetsOf, type BenchHost } from './hosts.js'
import { ROOT, type PeerName, type RunInput } from './peers.js'
import { SCENARIO } from './report.js'
import { rolloutPlaybooks } from './rollout.js'
import { perEntryPlaybook, scaleTargets } from './scale.js'
import type { Scenario } from './scenario.js'
import { writeFloorTargets, writeInventory, type BenchTarget } from './targets.js'

export const TEND_PLAYBOOK = join(ROOT, 'playbooks', 'api-recover.yaml')
export const ANSIBLE_PLAYBOOK = join(ROOT, 'bench', 'ansible', 'api-recover.yml')
/** Parameters each scale entry brings itself (see perEntryPlaybook). */
const PER_ENTRY_VARS = ['unit', 'port', 'routes'] as const

/** Inventory, floor targets and an ansible dir for one set of entries. */
export async function inputFor(
  tendEntry: string, work: string, label: string, targets: readonly BenchTarget[], forks: number,
  extraVars: Record<string, string>, playbooks = { tend: TEND_PLAYBOOK, ansible: ANSIBLE_PLAYBOOK },
): Promise<RunInput> {
  const dir = join(work, label)
  await mkdir(dir, { recursive: true })
  await writeInventory(join(dir, 'inventory.yml'), targets)
  await writeFloorTargets(join(dir, 'floor.tsv'), targets)
  await prepareAnsibleDir(join(dir, 'ansible'))
  return {
    tendPlaybook: playbooks.tend, ansiblePlaybook: playbooks.ansible, inventoryFile: join(dir, 'inventory.yml'),
    floorTargetsFile: join(dir, 'floor.tsv'), forks, extraVars, ansibleDir: join(dir, 'ansible'), tendEntry,
  }
}

/** The incident on every host at once: baseline first, then a rogue on :8000 and the unit looping. */
export const stageIncident = (hosts: readonly BenchHost[]) => async (): Promise<void> => {
  await Promise.all(hosts.map(async (h) => {
    await resetToBaseline(h)
    await stageScenario(h, 'loop')
  }))
}

const wants = (options: BenchOptions, key: string): boolean => options.only === undefined || options.only.has(key)

/** Scenarios a–c and the rollout: 1 and 10 real hosts. */
export async function smallScenarios(hosts: readonly BenchHost[], options: BenchOptions, work: string, tendEntry: string): Promise<Scenario[]> {
  const peers: PeerName[] = options.smoke ? ['tend', 'floor'] : ['tend', 'ansible', 'floor']
  const all = targetsOf(hosts)
  const out: Scenario[] = []
  const base = { peers, iterations: options.iterations }  // mutable: 1 host, then 10
  if (wants(options, 'no-change-1')) {
    out.push({ ...base, name: SCENARIO.noChange1, hosts: 1, expectChangedHosts: 0, timeoutMs: 120_000,
      input: await inputFor(tendEntry, work, 'one', all.slice(0, 1), options.forks, {}) })
  }
  if (options.smoke) return out
  base.iterations = options.fleetIterations
  if (wants(options, 'no-change-10')) {
    out.push({ ...base, name: SCENARIO.noChange10, hosts: all.length, expectChangedHosts: 0, timeoutMs: 300_000,
      input: await inputFor(tendEntry, work, 'ten', all, options.forks, {}) })
  }
  if (wants(options, 'recovery-10')) {
    out.push({ ...base, name: SCENARIO.recovery10, hosts: all.length, expectChangedHosts: all.length, timeoutMs: 300_000,
      beforeEach: stageIncident(hosts),
      // stable window 0: measure the recovery, not a sleep (every peer gets the same window)
      input: await inputFor(tendEntry, work, 'recovery', all, options.forks, { stable_seconds: '0' }) })
  }
  if (wants(options, 'rollout-10')) {
    out.push({ ...base, peers: ['tend', 'ansible'], name: SCENARIO.rollout10, hosts: all.length, expectChangedHosts: all.length, timeoutMs: 600_000,
      beforeEach: stageIncident(hosts),
      input: await inputFor(tendEntry, work, 'rollout', all, options.forks, { stable_seconds: '0' },
        await rolloutPlaybooks(TEND_PLAYBOOK, ANSIBLE_PLAYBOOK, join(work, 'rollout-playbooks'))) })
  }
  return out
}

/** Scenario d: many inventory entries (template units) on the same real hosts. */
/** The playbooks of the scale entries: each entry brings its own unit/port/routes. */
export async function scalePlaybooks(work: string): Promise<{ tend: string; ansible: string }> {
  return {
    tend: await perEntryPlaybook(TEND_PLAYBOOK, join(work, 'scale-playbooks', 'tend'), PER_ENTRY_VARS),
    ansible: await perEntryPlaybook(ANSIBLE_PLAYBOOK, join(work, 'scale-playbooks', 'ansible'), PER_ENTRY_VARS),
  }
}

export async function scaleScenarios(hosts: readonly BenchHost[], options: BenchOptions, work: string, tendEntry: string): Promise<Scenario[]> {
  const playbooks = await scalePlaybooks(work)
  // The units were started moments ago; a stable window would measure a sleep.
  const vars = { stable_seconds: '0' }
  const base = { iterations: options.scaleIterations, expectChangedHosts: 0, timeoutMs: 900_000 }
  const out: Scenario[] = []
  const mid = 200
  const midForks = 50
  out.push({ ...base, name: SCENARIO.scale(mid), hosts: mid,
    peers: options.ansibleAtScale ? ['tend', 'ansible', 'floor'] : ['tend', 'floor'],
    input: await inputFor(tendEntry, work, `scale-${mid}`, scaleTargets(hosts, mid), midForks, vars, playbooks) })
  const big = 1000
  for (const forks of options.scaleForks) {
    out.push({ ...base, name: SCENARIO.scale(big), hosts: big, peers: forks === midForks ? ['tend', 'floor'] : ['tend'],
      input: await inputFor(tendEntry, work, `scale-${big}-f${forks}`, scaleTargets(hosts, big), forks, vars, playbooks) })
  }
  return out
}
