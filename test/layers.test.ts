/**
 * The folder graph of src/ (README "Layout"): an import only points down, and no file imports one
 * that imports it back. A move that breaks either fails here, naming the import.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileCycles, folderOf, importEdges } from './support/import-graph.js'

/** Lower first. Folders of one rank are siblings: neither imports the other. */
const LAYERS: readonly (readonly string[])[] = [
  ['(top)'], // errors.ts, exit-codes.ts, source.ts, project-root.ts
  ['transport', 'http'],
  ['testbed'],
  ['template'],
  ['modules'],
  ['playbook'],
  ['rollout'],
  ['engine'],
  ['state'],
  ['history'],
  ['watch', 'queue'],
  ['web'],
  ['demo'],
  ['cli'],
]

/**
 * The one sibling edge: the queue implements the watch loop's port (where a cycle runs): the
 * controller's side (queue/watch.ts) and the worker's (queue/cycle-job.ts). Nothing else in the
 * queue knows the watch.
 */
const SIBLING_PORTS: ReadonlySet<string> = new Set(['queue/watch.ts', 'queue/cycle-job.ts'])

const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)))
const edges = importEdges(join(import.meta.dirname, '..', 'src'))

test('every folder of src/ has a place in the layers', () => {
  const unplaced = [...new Set(edges.flatMap((e) => [folderOf(e.from), folderOf(e.to)]))].filter((f) => !rank.has(f))
  assert.deepEqual(unplaced, [], 'add new folders to LAYERS and to the README\'s graph')
})

test('imports only point down the folder graph', () => {
  const upward = edges.filter(({ from, to }) => {
    const a = rank.get(folderOf(from)) ?? -1
    const b = rank.get(folderOf(to)) ?? -1
    if (folderOf(from) === folderOf(to)) return false
    return a === b ? !SIBLING_PORTS.has(from) : b > a
  })
  assert.deepEqual(upward.map((e) => `${e.from} → ${e.to}`), [])
})

test('no file imports one that imports it back, even for a type', () => {
  assert.deepEqual(fileCycles(edges), [])
})

test('the graph check sees a cycle and an upward import when there is one', () => {
  assert.deepEqual(fileCycles([{ from: 'a/x.ts', to: 'a/y.ts' }, { from: 'a/y.ts', to: 'a/z.ts' }, { from: 'a/z.ts', to: 'a/x.ts' }]), [['a/x.ts', 'a/y.ts', 'a/z.ts']])
  assert.ok(edges.some((e) => e.from === 'engine/task.ts' && e.to === 'modules/index.ts'), 'the parser reads real imports')
})

/** Files of src/ whose text matches `pattern`, relative to src/. */
function filesMatching(pattern: RegExp): string[] {
  const src = join(import.meta.dirname, '..', 'src')
  return readdirSync(src, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && pattern.test(readFileSync(join(src, f), 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '')))
    .sort()
}

test('one process edge: signals are owned in src/cli/signals.ts, HTTP servers opened in src/http/listen.ts, prom-client metrics defined in src/history/metrics.ts, listr2 driven from src/cli/render/listr.ts', () => {
  assert.deepEqual(filesMatching(/process\.(on|once|addListener)\(\s*'SIG/), ['cli/signals.ts'])
  assert.deepEqual(filesMatching(/\bcreateServer\(/), ['http/listen.ts'])
  assert.deepEqual(filesMatching(/new (Counter|Gauge|Histogram|Summary)\(/), ['history/metrics.ts'])
  assert.deepEqual(filesMatching(/from 'listr2'/), ['cli/render/listr.ts'])
})
