/**
 * The render scenario: renders/s of a realistic template (an nginx site: upstreams, TLS, locations)
 * by tend's `renderValue`, the API that stays the same across template engines, against peers
 * measured in the same run: Jinja2 as Ansible's template module configures it (bench/render/
 * templar.py) and, while it is installed, nunjucks itself (bench/render/nunjucks-peer.mjs). No
 * hosts; a few seconds. Rounds alternate the peers; each peer's medians are reported, and tend's
 * as a ratio to each peer's, never asserted.
 */
import { execFileSync } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { renderValue } from '../src/template/playbook.js'
import { ROOT } from './peers.js'
import { startLinePeer, type LinePeer, type RenderRate, type RenderRequest } from './render/line-peer.js'
import { spread, type Spread } from './results.js'

const FIXTURES = join(ROOT, 'bench', 'fixtures', 'render')
const VARS = join(FIXTURES, 'nginx-site.vars.yml')
/** The plain template renders in every engine (before and after the swap: the same workload); the rich one only where supported. */
export const RENDER_TEMPLATES = [
  { name: 'nginx-site', file: join(FIXTURES, 'nginx-site.conf.j2'), vars: VARS },
  { name: 'nginx-site-rich (| comment, .items(), is version)', file: join(FIXTURES, 'nginx-site-rich.conf.j2'), vars: VARS },
] as const
/** Measured seconds per peer and way in each round, and unmeasured before the first round's. */
const SECONDS = 0.3
const FIRST_WARM_SECONDS = 0.3
const WARM_SECONDS = 0.05

export interface RenderRow {
  readonly template: string
  readonly peer: 'tend' | 'ansible' | 'nunjucks'
  readonly way: string
  readonly rounds: number
  readonly rendersPerSecond?: Spread
  /** Its output is Ansible's (templar row), whitespace aside (trim_blocks differs between engines). */
  readonly sameOutputAsAnsible?: boolean
  /** Why there is no rate: the engine refused the template, or the peer is missing. */
  readonly note?: string
}

export interface RenderRatio {
  readonly template: string
  readonly versus: string
  /** tend's time per render over the peer's (below 1 = tend faster), as the bench's other ratios. */
  readonly tendOverPeer: number
  /** tend's renders/s over the peer's: "N× faster". */
  readonly speedup: number
}

export interface RenderResult {
  readonly rows: readonly RenderRow[]
  readonly ratios: readonly RenderRatio[]
  readonly versions: Readonly<Record<string, string>>
}

/** tend's rate, measured here, in the loop the peers use (a shallow copy of vars per render: one host's). */
function tendRate(text: string, vars: Record<string, unknown>, file: string, warmSeconds: number): RenderRate {
  const where = { file, line: 1, column: 1 }
  const render = () => renderValue(text, { ...vars }, where)
  try {
    const output = String(render())
    const warmUntil = performance.now() + warmSeconds * 1000
    while (performance.now() < warmUntil) render()
    let renders = 0
    const started = performance.now()
    for (;;) {
      render()
      renders++
      const now = performance.now()
      if (now - started >= SECONDS * 1000) return { renders, seconds: (now - started) / 1000, rendersPerSecond: renders / ((now - started) / 1000), output }
    }
  } catch (error) {
    return { error: (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').slice(0, 300) }
  }
}

const WAYS = {
  ansible: { templar: 'Templar per host (template module; compiles each time)', 'compiled-once': 'Jinja2 compiled once (reference)' },
  nunjucks: { 'per-render': 'renderString (compiles each time, as tend used it)', 'compiled-once': 'compiled once (reference)' },
} as const

function startPeers(ansibleHome: string): Map<'ansible' | 'nunjucks', LinePeer | string> {
  const peers = new Map<'ansible' | 'nunjucks', LinePeer | string>()
  peers.set('ansible', startLinePeer(['/usr/bin/python3', join(ROOT, 'bench', 'render', 'templar.py')],
    { ...process.env, ANSIBLE_HOME: ansibleHome, ANSIBLE_LOCAL_TEMP: join(ansibleHome, 'tmp'), PYTHONDONTWRITEBYTECODE: '1' }))
  try {
    createRequire(import.meta.url).resolve('nunjucks')
    peers.set('nunjucks', startLinePeer([process.execPath, join(ROOT, 'bench', 'render', 'nunjucks-peer.mjs')], process.env))
  } catch {
    peers.set('nunjucks', 'nunjucks is not installed (it left with the template interpreter)')
  }
  return peers
}

const squeeze = (text: string | undefined): string | undefined => text?.replace(/\s+/g, '')

export async function measureRender(rounds: number, log: (line: string) => void): Promise<RenderResult> {
  const ansibleHome = await mkdtemp(join(tmpdir(), 'tend-bench-render-'))
  const peers = startPeers(ansibleHome)
  const versions: Record<string, string> = {}
  const rows: RenderRow[] = []
  try {
    for (const t of RENDER_TEMPLATES) {
      const text = await readFile(t.file, 'utf8')
      const vars = parse(await readFile(t.vars, 'utf8')) as Record<string, unknown>
      /** Per row key (peer/way): the rates of every round, and its first output or error. */
      const seen = new Map<string, { rates: number[]; output?: string; error?: string }>()
      const record = (key: string, rate: RenderRate) => {
        const entry = seen.get(key) ?? { rates: [] }
        seen.set(key, entry)
        if (rate.rendersPerSecond !== undefined) entry.rates.push(rate.rendersPerSecond)
        entry.output ??= rate.output
        entry.error ??= rate.error
      }
      for (let round = 0; round < rounds; round++) {
        const warmSeconds = round === 0 ? FIRST_WARM_SECONDS : WARM_SECONDS
        if (seen.get('tend/renderValue')?.error === undefined) record('tend/renderValue', tendRate(text, vars, t.file, warmSeconds))
        for (const [name, peer] of peers) {
          if (typeof peer === 'string') continue
          const request: RenderRequest = { template: t.file, vars: t.vars, seconds: SECONDS, warmSeconds }
          const answer = await peer.ask(request)
          Object.assign(versions, answer.versions)
          for (const way of Object.keys(WAYS[name])) record(`${name}/${way}`, answer.rows?.[way] ?? { error: answer.error ?? 'no answer' })
        }
      }
      const reference = squeeze(seen.get('ansible/templar')?.output)
      const row = (peer: RenderRow['peer'], way: string, label: string): RenderRow => {
        const entry = seen.get(`${peer}/${way}`)
        const missing = peers.get(peer as 'ansible')
        if (entry === undefined || entry.rates.length === 0) {
          return { template: t.name, peer, way: label, rounds: 0, note: `n/a: ${entry?.error ?? (typeof missing === 'string' ? missing : 'not measured')}` }
        }
        return {
          template: t.name, peer, way: label, rounds: entry.rates.length, rendersPerSecond: spread(entry.rates),
          ...(reference !== undefined && { sameOutputAsAnsible: squeeze(entry.output) === reference }),
        }
      }
      rows.push(row('tend', 'renderValue', 'renderValue'))
      for (const [name, ways] of Object.entries(WAYS) as [keyof typeof WAYS, Record<string, string>][]) {
        for (const [way, label] of Object.entries(ways)) rows.push(row(name, way, label))
      }
      log(`bench: rendered ${t.name}`)
    }
  } finally {
    await Promise.all([...peers.values()].map((p) => (typeof p === 'string' ? undefined : p.close())))
    await rm(ansibleHome, { recursive: true, force: true })
  }
  return { rows, ratios: renderRatios(rows), versions }
}

function renderRatios(rows: readonly RenderRow[]): RenderRatio[] {
  const out: RenderRatio[] = []
  for (const tend of rows.filter((r) => r.peer === 'tend' && r.rendersPerSecond !== undefined)) {
    for (const peer of rows.filter((r) => r.peer !== 'tend' && r.template === tend.template && r.rendersPerSecond !== undefined)) {
      const t = tend.rendersPerSecond!.median
      const p = peer.rendersPerSecond!.median
      out.push({ template: tend.template, versus: `${peer.peer} ${peer.way}`, tendOverPeer: p / t, speedup: t / p })
    }
  }
  return out
}

export function renderRenderTable(result: RenderResult): string {
  const header = ['template', 'peer', 'way', 'n', 'renders/s median (min–max)', 'ms/render', 'tend/peer', 'same text as ansible']
  const body = result.rows.map((r) => {
    const rate = r.rendersPerSecond
    const ratio = result.ratios.find((q) => q.template === r.template && q.versus === `${r.peer} ${r.way}`)
    return [r.template, r.peer, r.way, String(r.rounds),
      rate === undefined ? 'n/a (below)' : `${rate.median.toFixed(0)} (${rate.min.toFixed(0)}–${rate.max.toFixed(0)})`,
      rate === undefined ? '' : (1000 / rate.median).toFixed(2),
      ratio === undefined ? '' : `${ratio.tendOverPeer.toFixed(2)} (${ratio.speedup >= 1 ? `${ratio.speedup.toFixed(1)}× faster` : `${(1 / ratio.speedup).toFixed(1)}× slower`})`,
      r.sameOutputAsAnsible === undefined ? '' : r.sameOutputAsAnsible ? 'yes' : 'NO']
  })
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd()
  const notes = result.rows.filter((r) => r.note !== undefined).map((r) => `  ${r.template} / ${r.peer} ${r.way}: ${r.note}`)
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line),
    ...(notes.length === 0 ? [] : ['', 'Not measured:', ...notes]),
    '', `tend/peer: tend's time per render over the peer's (below 1 = tend faster). ${Object.entries(result.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.`].join('\n')
}

/** The result file's content: when, where, which tend (its commit, and what src/ had uncommitted) and the rows. */
export function renderResultJson(started: number, result: RenderResult): string {
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()
    } catch {
      return ''
    }
  }
  return JSON.stringify({
    version: 1,
    scenario: 'render',
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: loadavg() },
    tend: { commit: git('rev-parse', 'HEAD'), uncommittedInSrc: git('status', '--porcelain', '--', 'src').split('\n').filter(Boolean) },
    secondsPerMeasurement: SECONDS,
    ...result,
  }, null, 2) + '\n'
}
