/**
 * What a host prints, used the ways playbooks use registered output: a command prints payload i
 * (`cat` of a file on the host) and its output goes to `debug: var:` over its lines, a loop over
 * its lines, `set_fact` then `debug: msg:`, and to controller paths (`template: src`,
 * `include_tasks`, `lookup('file')`) and environment names (`lookup('env')`, `expandvars`).
 * Besides the payloads, the host prints controller paths (the secret, a template and a tasks file
 * the playbook never names) and the name of a controller environment variable holding a secret:
 * a host must not choose what the controller reads or shows.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assertCleanEnd, line, payloadOf, taskEnds, yq, type Line, type Outcome, type Project } from './batch.js'
import { markerOf, payloadTrap, type Trap } from './payloads.js'

export const CASES = ['emit', 'var', 'loop', 'fact', 'tpl', 'inc', 'file', 'env'] as const

/** Controller files only a host could name, each holding text that must never be shown. */
export interface Decoys {
  readonly paths: readonly string[]
  readonly forbidden: readonly string[]
  /** The controller environment tend runs with: a variable whose value is a token. */
  readonly env: Readonly<Record<string, string>>
}

/** The decoys: the secret (also through ../), a template and a tasks file beside and outside the project. */
export function decoys(t: Trap): Decoys {
  const dir = mkdtempSync(join(tmpdir(), 'tend-ssti-decoy-'))
  const secret = payloadTrap(t, 'decoy')
  const rendered = `RENDERED-BY-HOST-${t.token.slice(5)}`
  const included = `INCLUDED-BY-HOST-${t.token.slice(5)}`
  writeFileSync(join(dir, 'plain.j2'), `${rendered}\n`)
  writeFileSync(join(dir, 'evil-tasks.yml'), evilTasks(t, included))
  return {
    paths: [
      secret.secretFile, `../../../../../../../../..${secret.secretFile}`, join(dir, 'plain.j2'), join(dir, 'evil-tasks.yml'),
      'plain.j2', 'evil-tasks.yml', 'templates/plain.j2', 'TEND_SSTI_ENV_TOKEN', '$TEND_SSTI_ENV_TOKEN', '${TEND_SSTI_ENV_TOKEN}',
    ],
    forbidden: [rendered, included],
    env: { TEND_SSTI_ENV_TOKEN: payloadTrap(t, 'envvar').token },
  }
}

/** A tasks file the host names: it shows a word and, on the local transport, writes a marker. */
const evilTasks = (t: Trap, word: string) =>
  `- debug: { msg: ${yq(word)} }\n- command: [touch, ${yq(markerOf(t, 'included'))}]\n`

export interface HostSide {
  /** The file on the host that holds host output i. */
  fileOf(i: string): string
  /** Where a template's dest goes on the host. */
  readonly outDir: string
  /** Files of the project besides site.yaml (the inventory, for the local transport). */
  readonly extra?: Project
}

const CASE_LINES: Readonly<Record<(typeof CASES)[number], (i: string, side: HostSide) => string[]>> = {
  emit: (i, side) => [`    - { name: "emit ${i}", command: [cat, ${yq(side.fileOf(i))}], register: r${i} }`],
  var: (i) => [`    - { name: "var ${i}", debug: { var: "{{ item }}" }, loop: "{{ r${i}.stdout_lines }}", ignore_errors: true }`],
  loop: (i) => [`    - { name: "loop ${i}", debug: { msg: "{{ item }}" }, loop: "{{ r${i}.stdout_lines }}", ignore_errors: true }`],
  fact: (i) => [`    - { name: "fact ${i}", set_fact: { x${i}: "{{ r${i}.stdout }}" } }`, `    - { name: "show ${i}", debug: { msg: "{{ x${i} }}" } }`],
  tpl: (i, side) => [`    - { name: "tpl ${i}", template: { src: "{{ r${i}.stdout }}", dest: ${yq(join(side.outDir, `h-${i}`))} }, ignore_errors: true }`],
  inc: (i) => [`    - { include_tasks: "{{ r${i}.stdout }}", ignore_errors: true }`],
  file: (i) => [`    - { name: "file ${i}", debug: { msg: "{{ lookup('file', r${i}.stdout) }}" }, ignore_errors: true }`],
  env: (i) => [`    - { name: "env ${i}", debug: { msg: "{{ lookup('env', r${i}.stdout) }}{{ r${i}.stdout | expandvars }}" }, ignore_errors: true }`],
}

export const hostOutputItems = (count: number): string[] => Array.from({ length: count }, (_, i) => CASES.map((c) => `${i}:${c}`)).flat()

export function hostOutputProject(side: HostSide, t: Trap, decoy: Decoys) {
  const beside = (text: string): Line[] => text.trimEnd().split('\n').map((l) => line(l))
  return (items: readonly string[]): Project => {
    const tasks: Line[] = items.flatMap((item) => {
      const [i, kind] = item.split(':') as [string, (typeof CASES)[number]]
      return CASE_LINES[kind](i, side).map((text) => line(text, item))
    })
    return {
      'site.yaml': [line('- hosts: all'), line('  tasks:'), ...tasks],
      // What the relative decoys name, beside the playbook and in its templates/.
      'plain.j2': beside(decoy.forbidden[0]!),
      'templates/plain.j2': beside(decoy.forbidden[0]!),
      'evil-tasks.yml': beside(evilTasks(t, decoy.forbidden[1]!)),
      ...side.extra,
    }
  }
}

/**
 * What each host output became: the exact text wherever it is shown as data, and a refusal
 * wherever it would name a controller file.
 */
export function assertHostOutputAsData(o: Outcome, outputs: readonly string[]): void {
  const ends = taskEnds(o)
  const named = (name: string) => ends.find((e) => e.task === name)
  const ran = new Set(o.ran)
  for (const i of new Set(o.ran.map(payloadOf))) {
    const text = outputs[Number(i)]!
    const what = (c: string) => `${c} ${i} ${JSON.stringify(text.slice(0, 200))}`
    const emit = named(`emit ${i}`)
    assert.equal(emit?.status, 'changed', what('emit'))
    const lines = (emit.result as { stdout_lines: string[] }).stdout_lines
    if (ran.has(`${i}:var`)) assertCleanEnd(named(`var ${i}`)!, what('var'))
    if (ran.has(`${i}:env`)) assertCleanEnd(named(`env ${i}`)!, what('env'))
    if (ran.has(`${i}:loop`)) {
      const loop = named(`loop ${i}`)!
      assert.equal(loop.status, 'ok', what('loop'))
      assert.deepEqual((loop.result as { results: { msg: unknown }[] }).results.map((r) => r.msg), lines, what('loop'))
    }
    if (ran.has(`${i}:fact`)) {
      assert.equal(named(`fact ${i}`)?.status, 'ok', what('fact'))
      assert.equal((named(`show ${i}`)?.result as { msg?: unknown } | undefined)?.msg, text, what('show'))
    }
    for (const [c, end] of [['tpl', named(`tpl ${i}`)], ['file', named(`file ${i}`)], ['inc', ends.find((e) => e.task.startsWith('include_tasks:') && e.task.includes(`r${i}.stdout`))]] as const) {
      if (!ran.has(`${i}:${c}`)) continue
      assert.equal(end?.status, 'ignored', `${what(c)}: a host-named controller path must be refused: ${end?.message ?? 'no task-end'}`)
      assertCleanEnd(end, what(c))
    }
  }
}
