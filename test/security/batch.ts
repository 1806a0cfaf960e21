/**
 * Many payloads in one `tend run` of the real CLI: a project is generated with each payload on
 * lines of its own, so a validation diagnostic (file:line:column) names the payload it refuses.
 * Refused payloads are dropped and the rest run again, until the run gets past validation.
 * Every run is checked for findings: a marker written, a secret's token in any output, state or
 * written file, a controller file the host named being read, tend crashing (exit `internal`, a
 * stack) or hanging. markedPayloads give each payload its own marker and token, so a finding
 * names its payload; a crash is narrowed down to the payloads that cause it by bisection.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import type { EngineEvent } from '../../src/engine/events.js'
import { ExitCode } from '../../src/exit-codes.js'
import { cleanEnv, TEND, type Finished } from '../cli/support.js'
import type { TaskEnd } from '../engine/harness.js'
import { leakedBy, markersFound, payloadTrap, type Trap } from './payloads.js'
import { eventsIn } from '../support/events.js'

/** A line of a generated file, and the item (a payload, or a payload and a case: `17:tpl`) it belongs to. */
export interface Line {
  readonly text: string
  readonly item?: string
}
/** A generated file: lines, or a whole file that belongs to one item (a template source). */
export type GeneratedFile = readonly Line[] | { readonly item: string; readonly text: string }
export type Project = Readonly<Record<string, GeneratedFile>>

/** A double-quoted YAML scalar on one line: JSON's escapes, and \u/\U for everything outside ASCII. */
export function yq(text: string): string {
  return JSON.stringify(text).replace(/[^\x20-\x7e]/gu, (c) => {
    const code = c.codePointAt(0)!
    return code > 0xffff ? `\\U${code.toString(16).padStart(8, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`
  })
}

export const line = (text: string, item?: string): Line => (item === undefined ? { text } : { text, item })
/** The payload index an item is about. */
export const payloadOf = (item: string) => item.split(':')[0]!

export interface Finding {
  readonly kind: 'marker' | 'leak' | 'host-chosen file read' | 'crash' | 'hang'
  /** The payload (index), an item, or what else is known (`canary`, `3 items together`). */
  readonly item: string
  readonly detail: string
}

export interface Outcome {
  readonly code: number | null
  readonly events: readonly EngineEvent[]
  /** Items still in the playbook when it ran past validation. */
  readonly ran: readonly string[]
  /** Items refused at validation, with the diagnostic that named them. */
  readonly refused: ReadonlyMap<string, string>
  readonly findings: readonly Finding[]
}

export interface Batch {
  readonly trap: Trap
  readonly items: readonly string[]
  /** The project for the items still in play, in its directory. */
  build(items: readonly string[], dir: string): Project
  /** Extra arguments to `tend run` (default: the inventory the project holds). */
  readonly args?: readonly string[]
  /** Text that only a controller file a host named holds: it must never appear. */
  readonly forbidden?: readonly string[]
  /** More text a run may have written (files on a host), checked like its output. */
  readonly written?: () => Promise<string>
  /** Items whose payload may read the secret (an authored file lookup); `env` is the trap the environment names. */
  readonly mayRead?: (item: string) => boolean
  /** More environment for tend. */
  readonly env?: Readonly<Record<string, string>>
}

const RUN_TIMEOUT_MS = 120_000
/** Runs bisection may spend narrowing down crashes, per batch. */
const BISECT_BUDGET = 60

async function writeProject(dir: string, project: Project): Promise<void> {
  for (const [path, file] of Object.entries(project)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), 'item' in file ? file.text : file.map((l) => l.text).join('\n') + '\n')
  }
}

/** Every file under dir, as text (the state store, the files a run wrote). */
async function allText(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  const texts = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'latin1')))
  return texts.join('\n')
}

/** The items a ConfigError's diagnostics name, by file and line; every diagnostic must name one. */
function refusedItems(stderr: string, dir: string, project: Project): Map<string, string> {
  const found = new Map<string, string>()
  const total = Number(/(\d+) problems? found; no host was contacted/.exec(stderr)?.[1] ?? Number.NaN)
  let mapped = 0
  for (const block of stderr.split(/\n\n(?=\S)/)) {
    const where = /^(.+?):(?:(\d+):(\d+):)? /.exec(block)
    const path = where && Object.keys(project).find((p) => resolve(dir, where[1]!) === resolve(dir, p))
    if (!where || !path) continue
    const file = project[path]!
    const item = 'item' in file ? file.item : file[Number(where[2] ?? 0) - 1]?.item
    assert.ok(item !== undefined, `a diagnostic on a line of no payload: ${block.slice(0, 1500)}`)
    found.set(item, block)
    mapped++
  }
  assert.equal(mapped, total, `diagnostics that name no payload's line (${stderr.length} chars):\n${stderr.slice(0, 2000)}\n…\n${stderr.slice(-2000)}`)
  return found
}

const CRASH = /unexpected error|internal error|\n\s+at [\w.<>]+ \(|\n\s+at (file|node):/

/** What no run may print: an internal error or a JavaScript stack. */
export function assertClean(text: string, what: string): void {
  assert.doesNotMatch(text, CRASH, `${what}: tend crashed`)
}

/**
 * The real CLI with stdout and stderr going to files: tend exits once stdout is flushed, and a
 * long list of diagnostics on a stderr *pipe* is cut off at exit (seen at ~200 KB).
 */
async function runTend(args: readonly string[], dir: string, env: NodeJS.ProcessEnv): Promise<Finished & { hung: boolean }> {
  const [out, err] = [join(dir, '.stdout'), join(dir, '.stderr')]
  const [outFd, errFd] = [openSync(out, 'w'), openSync(err, 'w')]
  const child = spawn(process.execPath, [TEND, ...args], { cwd: dir, env, stdio: ['ignore', outFd, errFd] })
  closeSync(outFd)
  closeSync(errFd)
  let hung = false
  const timer = setTimeout(() => {
    hung = true
    child.kill('SIGKILL')
  }, RUN_TIMEOUT_MS)
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)))
  clearTimeout(timer)
  return { code, stdout: await readFile(out, 'utf8'), stderr: await readFile(err, 'utf8'), hung }
}

interface Round {
  readonly run: Finished & { readonly hung: boolean }
  readonly project: Project
  readonly dir: string
  readonly findings: Finding[]
  readonly crashed: boolean
}

/** What env TEND_SSTI_SECRET_FILE names (for `lookup('env', …)`): a secret of its own, so a leak through it says so. */
const envSecret = (t: Trap): string => payloadTrap(t, 'env').secretFile

const excerpt = (text: string, at: number) => text.slice(Math.max(0, at - 200), at + 150).replace(/\s+/g, ' ')

async function round(batch: Batch, items: readonly string[]): Promise<Round> {
  const dir = await mkdtemp(join(tmpdir(), 'tend-ssti-run-'))
  const stateDir = await mkdtemp(join(tmpdir(), 'tend-ssti-state-'))
  const project = batch.build(items, dir)
  await writeProject(dir, project)
  const env = cleanEnv({ TEND_STATE_DIR: stateDir, TEND_LOCK_DIR: await mkdtemp(join(tmpdir(), 'tend-ssti-lock-')), TEND_SSTI_SECRET_FILE: envSecret(batch.trap), ...batch.env })
  const run = await runTend(['run', 'site.yaml', ...(batch.args ?? ['-i', 'inventory']), '--json', '--diff'], dir, env)
  const everything = `${run.stdout}\n${run.stderr}\n${await allText(stateDir)}\n${await allText(join(dir, 'out'))}\n${(await batch.written?.()) ?? ''}`
  const findings: Finding[] = []
  for (const marker of markersFound(batch.trap)) {
    findings.push({ kind: 'marker', item: basename(marker).split('.').slice(1).join('.') || '?', detail: marker })
    await rm(marker, { force: true })
  }
  for (const item of leakedBy(batch.trap, everything)) {
    if (batch.mayRead?.(item)) continue
    findings.push({ kind: 'leak', item, detail: excerpt(everything, everything.indexOf(item === '?' ? batch.trap.token : `${batch.trap.token}I${item}J`)) })
  }
  for (const text of batch.forbidden ?? []) {
    if (everything.includes(text)) findings.push({ kind: 'host-chosen file read', item: '?', detail: excerpt(everything, everything.indexOf(text)) })
  }
  const clean = [ExitCode.ok, ExitCode.hostFailed, ExitCode.driftFound, ExitCode.invalidInput] as (number | null)[]
  await rm(dir, { recursive: true, force: true })
  const crashed = run.hung || !clean.includes(run.code) || CRASH.test(run.stdout + run.stderr)
  if (run.hung) findings.push({ kind: 'hang', item: `${items.length} items together`, detail: `no exit within ${RUN_TIMEOUT_MS / 1000} s` })
  await rm(stateDir, { recursive: true, force: true })
  return { run, project, dir, findings, crashed }
}

/** Runs items until past validation, dropping what it refuses; whether the run that got there crashed. */
async function settle(batch: Batch, items: readonly string[], findings: Finding[]): Promise<{ round: Round; live: string[]; refused: Map<string, string> }> {
  let live = [...items]
  const refused = new Map<string, string>()
  for (let n = 1; ; n++) {
    const r = await round(batch, live)
    findings.push(...r.findings)
    const escaped = new Set(r.findings.map((f) => f.item))
    live = live.filter((item) => !escaped.has(payloadOf(item)))
    if (r.crashed || r.run.code !== ExitCode.invalidInput || n === 8) return { round: r, live, refused }
    const named = refusedItems(r.run.stderr, r.dir, r.project)
    assert.ok(named.size > 0, `exit 5 without a payload named:\n${r.run.stderr.slice(0, 3000)}`)
    for (const [item, message] of named) refused.set(item, message)
    live = live.filter((item) => !named.has(item))
  }
}

/**
 * The groups of items whose runs crash tend, by bisection within a budget of runs: a group of one
 * is a payload that crashes alone; a larger group crashed only together (or the budget ran out).
 */
async function crashers(batch: Batch, items: readonly string[], findings: Finding[], budget: { left: number }): Promise<string[][]> {
  if (items.length <= 1 || budget.left <= 0) return items.length > 0 ? [[...items]] : []
  const out: string[][] = []
  for (const half of [items.slice(0, items.length >> 1), items.slice(items.length >> 1)]) {
    if (half.length === 0) continue
    budget.left--
    const settled = await settle(batch, half, findings)
    if (settled.round.crashed && !settled.round.run.hung) out.push(...(await crashers(batch, settled.live, findings, budget)))
  }
  return out.length > 0 ? out : [[...items]]
}

function crashDetail(run: Finished): string {
  const text = run.stderr || run.stdout
  const at = text.search(CRASH)
  return `exit ${run.code}: ${text.slice(Math.max(0, at), at + 400).replace(/\s+/g, ' ')}`
}

export async function runBatch(batch: Batch): Promise<Outcome> {
  const findings: Finding[] = []
  const refused = new Map<string, string>()
  let live = [...batch.items]
  const budget = { left: BISECT_BUDGET }
  for (;;) {
    const settled = await settle(batch, live, findings)
    for (const [item, message] of settled.refused) refused.set(item, message)
    live = settled.live
    const { run, crashed } = settled.round
    if (!crashed || run.hung) {
      const events = run.hung ? [] : eventsIn(run.stdout)
      return { code: run.code, events, ran: live, refused, findings }
    }
    const detail = crashDetail(run)
    const groups = await crashers(batch, live, findings, budget)
    for (const group of groups) findings.push({ kind: 'crash', item: group.length === 1 ? group[0]! : `${group.length} items together (${group.join(' ')})`, detail })
    const culprits = new Set(groups.flat())
    live = live.filter((item) => !culprits.has(item))
  }
}

/** Fails with every finding, each naming its payload. */
export function assertNoFindings(outcome: Outcome, corpus: readonly string[]): void {
  const unique = new Map(outcome.findings.map((f) => [`${f.kind} ${f.item}`, f]))
  const shown = [...unique.values()].map((f) => {
    const payload = corpus[Number(payloadOf(f.item))]
    return `- ${f.kind} by ${f.item}${payload === undefined ? '' : ` ${JSON.stringify(payload.slice(0, 160))}`}: ${f.detail.slice(0, 600)}`
  })
  assert.equal(shown.length, 0, `${shown.length} findings:\n${shown.join('\n')}`)
}

export const taskEnds = (o: Outcome): TaskEnd[] => o.events.filter((e): e is TaskEnd => e.type === 'task-end')

/** A task that ran a payload either did its work or was refused cleanly (its error ignored). */
export function assertCleanEnd(end: TaskEnd, what: string): void {
  assert.ok(['ok', 'changed', 'skipped', 'ignored'].includes(end.status), `${what}: ${end.status} ${end.message ?? ''}`)
  assertClean(end.message ?? '', what)
}
