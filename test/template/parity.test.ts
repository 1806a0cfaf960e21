/**
 * Jinja parity: every case is rendered by Ansible (test/parity/jinja_reference.py on Debian's
 * /usr/bin/python3: ansible-core 2.14, Jinja2 3.1) and by tend, and the two must agree byte for
 * byte; a case where both fail agrees too. Cases are the template corpus (real role templates in
 * test/fixtures/jinja-corpus, each with its role's vars) and the hand-written files in
 * test/parity/cases. test/parity/known-differences.yaml lists what knowingly differs.
 *
 * TEND_PARITY_REFERENCE_ONLY=1 runs the Ansible side alone and prints a summary (useful while
 * writing cases).
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { LineCounter, parseDocument } from 'yaml'

const root = join(import.meta.dirname, '..', '..')
const corpusDir = join(root, 'test/fixtures/jinja-corpus')
const casesDir = join(root, 'test/parity/cases')
const referenceOnly = process.env.TEND_PARITY_REFERENCE_ONLY === '1'

type Vars = Record<string, unknown>
interface Case {
  readonly id: string
  readonly kind: 'template' | 'expression'
  readonly text: string
  readonly vars: Vars
  /** Where the case is written, for tend's diagnostics. */
  readonly file: string
  readonly line: number
  /** Ansible itself fails on it (hand-written cases only). */
  readonly error: boolean
  readonly corpus: boolean
}
type Outcome = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: string }

function readYaml(file: string): unknown {
  const doc = parseDocument(readFileSync(file, 'utf8'))
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`)
  return doc.toJS()
}

const isVars = (v: unknown): v is Vars => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Each corpus file with its repository's `shared` vars, overridden per file by `per_file` (shallow). */
function corpusCases(): Case[] {
  const cases: Case[] = []
  for (const repo of readdirSync(corpusDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    const varsFile = join(corpusDir, repo, 'vars.yaml')
    const doc = readYaml(varsFile)
    assert.ok(isVars(doc) && isVars(doc.shared), `${varsFile}: needs a mapping \`shared\``)
    const perFile = isVars(doc.per_file) ? doc.per_file : {}
    for (const name of readdirSync(join(corpusDir, repo)).filter((f) => f !== 'vars.yaml').sort()) {
      const own = perFile[name]
      const file = join(corpusDir, repo, name)
      cases.push({
        id: `corpus/${repo}/${name}`, kind: 'template', text: readFileSync(file, 'utf8'),
        vars: { ...doc.shared, ...(isVars(own) ? own : {}) }, file, line: 0, error: false, corpus: true,
      })
    }
    for (const name of Object.keys(perFile)) assert.ok(cases.some((c) => c.id === `corpus/${repo}/${name}`), `${varsFile}: per_file names no file ${name}`)
  }
  return cases
}

/** `- {id, kind, text, vars?, error?}` from every test/parity/cases/*.yaml. */
function writtenCases(): Case[] {
  const cases: Case[] = []
  for (const name of readdirSync(casesDir).filter((f) => f.endsWith('.yaml')).sort()) {
    const file = join(casesDir, name)
    const lines = new LineCounter()
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines })
    assert.equal(doc.errors.length, 0, `${file}: ${doc.errors[0]?.message}`)
    const items = doc.contents && 'items' in doc.contents ? doc.contents.items : []
    for (const node of items) {
      const c: unknown = (node as { toJSON(): unknown }).toJSON()
      assert.ok(isVars(c) && typeof c.id === 'string' && typeof c.text === 'string' && (c.kind === 'template' || c.kind === 'expression'), `${file}: bad case ${JSON.stringify(c)}`)
      const offset = (node as { range?: [number, number, number] }).range?.[0] ?? 0
      cases.push({
        id: c.id, kind: c.kind, text: c.text, vars: isVars(c.vars) ? c.vars : {}, file,
        line: lines.linePos(offset).line, error: c.error === true, corpus: false,
      })
    }
  }
  return cases
}

interface Reference { readonly results: Map<string, Outcome>; readonly templateVars: Vars }

/** One Python process for every case (ansible's import alone takes a second). */
function runReference(cases: readonly Case[]): Reference {
  const input = JSON.stringify({ cases: cases.map(({ id, kind, text, vars }) => ({ id, kind, text, vars })) })
  const run = spawnSync('/usr/bin/python3', [join(root, 'test/parity/jinja_reference.py')], { input, encoding: 'utf8', maxBuffer: 1 << 28 })
  assert.equal(run.status, 0, `jinja_reference.py failed (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`)
  const out = JSON.parse(run.stdout) as { results: ({ id: string } & Outcome)[]; template_vars: Vars }
  return { results: new Map(out.results.map(({ id, ...r }) => [id, r])), templateVars: out.template_vars }
}

/** tend's value as JSON data, refusing what JSON cannot say (so nothing passes by being dropped). */
function jsonData(value: unknown, path = 'value'): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${path} is ${value}`)
    return value
  }
  if (Array.isArray(value)) return value.map((v, i) => jsonData(v, `${path}[${i}]`))
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonData(v, `${path}.${k}`)]))
  }
  const kind = typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value
  throw new Error(`${path} is a ${kind}, not plain data`)
}

type Tend = typeof import('../../src/template/index.js')

function renderWithTend(tend: Tend, c: Case, templateVars: Vars): Outcome {
  let value: unknown
  try {
    value = c.kind === 'template'
      ? tend.renderTemplateFile(c.text, { ...c.vars, ...templateVars }, { file: c.file })
      : tend.evaluateExpression(c.text, c.vars, { file: c.file, line: c.line, column: 1 })
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
  // A value that is not plain data (an Undefined inside a list, say) is a difference, never an error.
  try {
    return { ok: true, output: jsonData(value) }
  } catch (error) {
    return { ok: true, output: { 'tend returned no plain data': (error as Error).message } }
  }
}

const shown = (o: Outcome): string => (o.ok ? (typeof o.output === 'string' ? o.output : JSON.stringify(o.output)) : '')

function agree(a: Outcome, b: Outcome): boolean {
  if (!a.ok || !b.ok) return !a.ok && !b.ok
  return typeof a.output === 'string' ? a.output === b.output : JSON.stringify(a.output) === JSON.stringify(b.output)
}

/** The first line where the two differ, both sides quoted; or each side's error. */
function difference(ansible: Outcome, tend: Outcome): string {
  if (!ansible.ok || !tend.ok) {
    return [`ansible: ${ansible.ok ? `ok: ${JSON.stringify(shown(ansible).slice(0, 300))}` : ansible.error.slice(0, 500)}`,
      `tend:    ${tend.ok ? `ok: ${JSON.stringify(shown(tend).slice(0, 300))}` : tend.error.slice(0, 500)}`].join('\n')
  }
  const [textA, textB] = [shown(ansible), shown(tend)]
  const bare = (t: string): string => t.replace(/\n+$/, '')
  if (bare(textA) === bare(textB)) return `only the trailing newlines differ: ansible has ${textA.length - bare(textA).length}, tend ${textB.length - bare(textB).length}`
  const a = textA.split('\n')
  const b = textB.split('\n')
  let i = 0
  while (i < Math.max(a.length, b.length) && a[i] === b[i]) i++
  const line = (l: string | undefined): string => (l === undefined ? '(no line)' : JSON.stringify(l))
  return `line ${i + 1} of ${a.length} (tend has ${b.length}):\nansible: ${line(a[i])}\ntend:    ${line(b[i])}`
}

const cases = [...corpusCases(), ...writtenCases()]
const reference = runReference(cases)
const known = new Map<string, string>()
for (const k of readYaml(join(root, 'test/parity/known-differences.yaml')) as { id: string; why: string }[] | null ?? []) known.set(k.id, k.why)

test('the corpus holds at least 100 templates from at least 15 repositories', () => {
  const corpus = cases.filter((c) => c.corpus)
  const repos = new Set(corpus.map((c) => c.id.split('/')[1]))
  assert.ok(corpus.length >= 100 && repos.size >= 15, `${corpus.length} templates from ${repos.size} repositories`)
})

test('every case behaves in Ansible as written (corpus files render, `error: true` cases fail)', () => {
  const ids = new Set<string>()
  const wrong = cases.filter((c) => {
    assert.ok(!ids.has(c.id), `case id ${c.id} is used twice`)
    ids.add(c.id)
    return reference.results.get(c.id)?.ok === c.error
  }).map((c) => `${c.id}: ${JSON.stringify(reference.results.get(c.id)).slice(0, 300)}`)
  assert.deepEqual(wrong, [])
})

test('known differences name existing cases', () => {
  assert.deepEqual([...known.keys()].filter((id) => !reference.results.has(id)), [])
})

if (referenceOnly) {
  const failed = cases.filter((c) => !reference.results.get(c.id)?.ok)
  console.log(`reference only: ${cases.length} cases, ${cases.length - failed.length} render in Ansible, ${failed.length} fail there`)
} else {
  const tend = await import('../../src/template/index.js')
  for (const c of cases) {
    test(`parity: ${c.id}`, () => {
      const ansible = reference.results.get(c.id)
      assert.ok(ansible, 'no reference result')
      const got = renderWithTend(tend, c, c.kind === 'template' ? reference.templateVars : {})
      const why = known.get(c.id)
      if (why !== undefined) assert.ok(!agree(ansible, got), `listed in known-differences.yaml (${why}) but tend now agrees: take it off the list`)
      else if (!agree(ansible, got)) assert.fail(`tend differs from Ansible\n${difference(ansible, got)}`)
    })
  }
}
