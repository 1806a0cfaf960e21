/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) of a tend run: self time per group (module
 * load/compile, ajv, yaml, templates, ssh2/crypto, GC, engine, …) and the top functions. tend runs
 * as an esbuild bundle, so a sample's file is found from esbuild's `// path/to/source` comment that
 * opens each source file's code in the bundle (no source map needed).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

interface CallFrame { readonly functionName: string; readonly url: string; readonly lineNumber: number }
interface ProfileNode { readonly id: number; readonly callFrame: CallFrame }
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  readonly timeDeltas: readonly number[]
  readonly startTime: number
  readonly endTime: number
}

export interface CpuSummary {
  /** Sampled time, idle excluded, ms. */
  readonly totalMs: number
  readonly groups: readonly { readonly group: string; readonly ms: number }[]
  readonly functions: readonly { readonly fn: string; readonly file: string; readonly group: string; readonly ms: number }[]
}

/** Source files in a bundle: [0-based line where a file's code starts, its path], in order. */
const boundaries = new Map<string, readonly (readonly [number, string])[]>()

function sourceOf(url: string, line: number): string {
  if (!url.startsWith('file://') || !/\/dist\/bundle\//.test(url)) return url.replace(/^file:\/\//, '')
  let marks = boundaries.get(url)
  if (marks === undefined) {
    const lines = readFileSync(fileURLToPath(url), 'utf8').split('\n')
    marks = lines.flatMap((text, i) => {
      const m = /^\/\/ (\S+\.(?:[cm]?js|ts|json))$/.exec(text)
      return m === null ? [] : [[i, m[1]!] as const]
    })
    boundaries.set(url, marks)
  }
  let found = url
  for (const [start, file] of marks) {
    if (start > line) break
    found = file
  }
  return found
}

/** The groups of issue 12's profile, first match wins. */
const GROUPS: readonly (readonly [string, (fn: string, file: string) => boolean])[] = [
  ['GC', (fn) => fn === '(garbage collector)'],
  // The profile mode's own recorder, kept apart so its cost is not counted as tend's.
  ['profiler preload (not tend)', (_, file) => file.includes('bench/profile/')],
  ['V8/native (compile, builtins)', (fn) => fn === '(program)'],
  ['module load/compile', (fn, file) => /^node:internal\/(modules|vm|bootstrap)|^node:internal\/process\/(pre_execution|execution)/.test(file) 
    // esbuild's CommonJS shims run a bundled package's module body; internalModuleStat resolves paths.
    || /^(compileFunction|wrapSafe|compileSourceTextModule|__require\d*|__commonJS|__esm|__toESM\d*|internalModuleStat|internalModuleReadJSON)$/.test(fn)],
  ['ajv (schemas, validation)', (fn, file) => /node_modules\/(ajv|ajv-formats|fast-uri|fast-deep-equal|json-schema-traverse|fast-json-stable-stringify)\//.test(file) || /ajv|validators?[./-]|schemas?\//i.test(file) || (file === '' && /^validate\d*$/.test(fn))],
  ['yaml', (_, file) => /node_modules\/yaml\//.test(file)],
  // Before and after the interpreter (src/template/) replaced nunjucks: the same group, comparable.
  ['templates (nunjucks, src/template)', (_, file) => /node_modules\/(nunjucks|a-sync-waterfall|asap)\/|src\/playbook\/templat|^src\/template\//.test(file)],
  ['ssh2/crypto', (_, file) => /node_modules\/(ssh2|cpu-features|bcrypt-pbkdf|asn1)\/|^node:(internal\/)?crypto/.test(file)],
  ['sqlite (state store)', (_, file) => /node_modules\/(better-sqlite3|bindings|file-uri-to-path)\/|^src\/state\//.test(file)],
  ['engine, modules, transport', (_, file) => /^src\/(engine|modules|transport|rollout)\//.test(file)],
  ['cli, playbook loading, renderers', (_, file) => /^src\//.test(file)],
  ['other libraries', (_, file) => /node_modules\//.test(file)],
  // An empty url is a native function (fs bindings, stream writes) or a regular expression.
  ['node internals (streams, net, fs)', (fn, file) => /^node:/.test(file) || (file === '' && !fn.startsWith('RegExp:'))],
  ['other', () => true],
]

const groupOf = (fn: string, file: string): string => GROUPS.find(([, test]) => test(fn, file))![0]

/** Every function, sorted; `meanCpuSummary` keeps the top ones. */
export function summariseCpuProfile(profile: CpuProfile): CpuSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const selfUs = new Map<number, number>()
  // A sample's time is the gap to the next sample (Chrome DevTools' convention).
  for (let i = 0; i < profile.samples.length; i++) {
    const next = profile.timeDeltas[i + 1] ?? 0
    selfUs.set(profile.samples[i]!, (selfUs.get(profile.samples[i]!) ?? 0) + next)
  }
  const groups = new Map<string, number>()
  const functions = new Map<string, { fn: string; file: string; group: string; ms: number }>()
  let totalMs = 0
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame
    if (frame.functionName === '(idle)' || frame.functionName === '(root)') continue
    const file = sourceOf(frame.url, frame.lineNumber)
    const group = groupOf(frame.functionName, file)
    const ms = us / 1000
    totalMs += ms
    groups.set(group, (groups.get(group) ?? 0) + ms)
    const fn = frame.functionName || '(anonymous)'
    const key = `${fn} ${file}`
    const entry = functions.get(key) ?? { fn, file, group, ms: 0 }
    entry.ms += ms
    functions.set(key, entry)
  }
  return {
    totalMs,
    groups: [...groups].map(([group, ms]) => ({ group, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...functions.values()].sort((a, b) => b.ms - a.ms),
  }
}

/** The mean of several runs' summaries (one profile per run). */
export function meanCpuSummary(summaries: readonly CpuSummary[], topN = 25): CpuSummary {
  const n = summaries.length
  const sum = <K extends string>(rows: readonly { ms: number }[], key: (r: never) => K) => {
    const out = new Map<K, number>()
    for (const r of rows) out.set(key(r as never), (out.get(key(r as never)) ?? 0) + r.ms / n)
    return out
  }
  const groups = sum(summaries.flatMap((s) => s.groups), (r: { group: string }) => r.group)
  const fns = summaries.flatMap((s) => s.functions)
  const fnTotals = sum(fns, (r: { fn: string; file: string }) => `${r.fn}\t${r.file}`)
  return {
    totalMs: summaries.reduce((a, s) => a + s.totalMs, 0) / n,
    groups: [...groups].map(([group, ms]) => ({ group, ms })).sort((a, b) => b.ms - a.ms),
    functions: [...fnTotals].map(([key, ms]) => {
      const [fn, file] = key.split('\t') as [string, string]
      return { fn, file, group: groupOf(fn, file), ms }
    }).sort((a, b) => b.ms - a.ms).slice(0, topN),
  }
}

export function renderCpuSummary(s: CpuSummary): string {
  const pct = (ms: number) => `${((100 * ms) / s.totalMs).toFixed(0)}%`.padStart(4)
  return [
    `CPU profile: ${s.totalMs.toFixed(0)} ms sampled (idle excluded), self time by group:`,
    ...s.groups.map((g) => `  ${g.ms.toFixed(1).padStart(7)} ms ${pct(g.ms)}  ${g.group}`),
    'top functions by self time:',
    ...s.functions.slice(0, 15).map((f) => `  ${f.ms.toFixed(1).padStart(7)} ms  ${f.fn}  ${f.file}  [${f.group}]`),
  ].join('\n')
}
