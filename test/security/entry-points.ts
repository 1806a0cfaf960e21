/**
 * Where an author's text enters tend, each as a project generator for batch.ts: every payload on
 * lines of its own, in a play that runs on the local transport and ends with a canary command
 * (argv a shell would run: it shows a polluted `shell` option of child_process, or a host whose
 * connection a payload changed) and a look at the inventory data (unchanged by any payload).
 */
import { join } from 'node:path'
import { line, yq, type Line, type Project } from './batch.js'
import { markerOf, type Trap } from './payloads.js'

export interface EntryPoint {
  readonly name: string
  /** Task-ends each payload's tasks produce (handlers, includes and the canary not counted). */
  readonly perItem: number
  /** Run under --check (a template renders when it is probed; writing the files adds only time). */
  readonly check?: boolean
  build(corpus: readonly string[], trap: Trap): (items: readonly string[], dir: string) => Project
}

const LOCAL = [line('all:'), line('  hosts:'), line('    localhost:'), line('      ansible_connection: local')]
/** After the payloads: what the play was given, unchanged (payloads try to add `MUT` ~ `ATED` to it). */
const INTEGRITY = `{{ groups }} {{ group_names }} {{ hostvars[inventory_hostname]['MUT' ~ 'ATED'] | default('intact') }}`
const canary = (t: Trap) => `    - { name: canary, check_mode: false, command: [printf, "%s", ${yq(`$(touch ${markerOf(t, 'canary')})\`touch ${markerOf(t, 'canary')}\``)}] }`

interface Play {
  readonly vars?: readonly Line[]
  readonly varsFiles?: boolean
  readonly roles?: boolean
  readonly tasks: readonly Line[]
  readonly handlers?: readonly Line[]
}

function site(t: Trap, p: Play): Line[] {
  return [
    line('- hosts: all'),
    ...(p.vars?.length ? [line('  vars:'), ...p.vars] : []),
    ...(p.varsFiles ? [line('  vars_files: [vars.yml]')] : []),
    ...(p.roles ? [line('  roles: [r]')] : []),
    line('  tasks:'),
    ...p.tasks,
    line(canary(t)),
    line(`    - { name: integrity, debug: { msg: ${yq(INTEGRITY)} } }`),
    ...(p.handlers?.length ? [line('  handlers:'), ...p.handlers] : []),
  ]
}

type PerItem = (payload: string, i: string) => string
/** A file of no lines is YAML null: an empty mapping or list instead. */
const orEmpty = (lines: readonly Line[], empty: '{}' | '[]'): readonly Line[] => (lines.length > 0 ? lines : [line(empty)])
const each = (corpus: readonly string[], items: readonly string[], f: PerItem): Line[] => items.map((i) => line(f(corpus[Number(i)]!, i), i))
const use = (prefix = 'v'): PerItem => (_p, i) => `    - { name: "use ${i}", debug: { msg: "{{ ${prefix}${i} }}" }, ignore_errors: true }`
const task = (body: PerItem): PerItem => (p, i) => `    - { ${body(p, i)}, ignore_errors: true }`

/** A payload as a variable in a vars file (or the YAML inventory), used by one debug task each. */
function varsIn(name: string, file: string): EntryPoint {
  const inInventory = file === 'inventory'
  return {
    name,
    perItem: 1,
    build: (corpus, t) => (items) => {
      const vars = each(corpus, items, (p, i) => `${inInventory ? '      ' : ''}v${i}: ${yq(p)}`)
      return {
        inventory: inInventory ? [...LOCAL, ...vars] : LOCAL,
        'site.yaml': site(t, { varsFiles: file === 'vars.yml', tasks: each(corpus, items, use()) }),
        ...(inInventory ? {} : { [file]: orEmpty(vars, '{}') }),
      }
    },
  }
}

/** A payload as a task keyword or module argument, one task each. */
function inTask(name: string, body: PerItem): EntryPoint {
  return { name, perItem: 1, build: (corpus, t) => (items) => ({ inventory: LOCAL, 'site.yaml': site(t, { tasks: each(corpus, items, task(body)) }) }) }
}

/**
 * A value on an INI host line, shlex-quoted: single-quoted pieces with each `'` as "'" between
 * them. INI can hold no line break in a value: those are written as spaces there.
 */
const iniValue = (p: string) => `'${p.replace(/[\r\n]/g, ' ').replaceAll("'", `'"'"'`)}'`

export const AUTHORED: readonly EntryPoint[] = [
  {
    name: 'playbook vars',
    perItem: 1,
    build: (corpus, t) => (items) => ({
      inventory: LOCAL,
      'site.yaml': site(t, { vars: each(corpus, items, (p, i) => `    v${i}: ${yq(p)}`), tasks: each(corpus, items, use()) }),
    }),
  },
  inTask('when:', (p, i) => `name: "when ${i}", debug: { msg: "ran ${i}" }, when: ${yq(p)}`),
  // A command: tend evaluates no `until` on debug/set_fact (it does on modules that touch the host).
  inTask('until:', (p, i) => `name: "until ${i}", command: ["true"], until: ${yq(p)}, retries: 0, delay: 0`),
  inTask('assert: that:', (p, i) => `name: "assert ${i}", assert: { that: [${yq(p)}] }`),
  inTask('task name:', (p, i) => `name: ${yq(p)}, debug: { msg: "name ${i}" }`),
  {
    name: 'notify:',
    perItem: 1,
    build: (corpus, t) => (items) => ({
      inventory: LOCAL,
      'site.yaml': site(t, {
        tasks: each(corpus, items, task((p, i) => `name: "notify ${i}", command: ["true"], notify: [${yq(p)}]`)),
        handlers: each(corpus, items, (p, i) => `    - { name: "handler ${i}", listen: ${yq(p)}, debug: { msg: "handler ${i}" } }`),
      }),
    }),
  },
  varsIn('vars_files', 'vars.yml'),
  varsIn('YAML inventory host vars', 'inventory'),
  {
    name: 'INI inventory host vars',
    perItem: 1,
    build: (corpus, t) => (items) => ({
      inventory: [line('localhost ansible_connection=local'), ...each(corpus, items, (p, i) => `localhost v${i}=${iniValue(p)}`)],
      'site.yaml': site(t, { tasks: each(corpus, items, use()) }),
    }),
  },
  varsIn('group_vars/all.yml', 'group_vars/all.yml'),
  varsIn('host_vars/localhost.yml', 'host_vars/localhost.yml'),
  {
    name: 'role defaults/main.yml',
    perItem: 1,
    build: (corpus, t) => (items) => ({
      inventory: LOCAL,
      'site.yaml': site(t, { roles: true, tasks: [] }),
      'roles/r/defaults/main.yml': orEmpty(each(corpus, items, (p, i) => `v${i}: ${yq(p)}`), '{}'),
      'roles/r/tasks/main.yml': orEmpty(each(corpus, items, (p, i) => use()(p, i).trimStart()), '[]'),
    }),
  },
  {
    name: 'include_tasks file',
    perItem: 1,
    build: (corpus, t) => (items) => ({
      inventory: LOCAL,
      'site.yaml': site(t, { tasks: [line('    - include_tasks: inc.yml')] }),
      'inc.yml': orEmpty(each(corpus, items, (p, i) => task((q) => `name: "inc ${i}", debug: { msg: ${yq(q)} }`)(p, i).trimStart()), '[]'),
    }),
  },
  {
    name: 'template: source file',
    perItem: 1,
    check: true,
    build: (corpus, t) => (items, dir) => ({
      inventory: LOCAL,
      'site.yaml': site(t, { tasks: each(corpus, items, task((_p, i) => `name: "tpl ${i}", template: { src: "t-${i}.j2", dest: ${yq(join(dir, 'out', `t-${i}`))} }`)) }),
      ...Object.fromEntries(items.map((i) => [`templates/t-${i}.j2`, { item: i, text: corpus[Number(i)]! }])),
    }),
  },
  {
    name: 'set_fact',
    perItem: 2,
    build: (corpus, t) => (items) => ({
      inventory: LOCAL,
      'site.yaml': site(t, {
        tasks: items.flatMap((i) => [
          line(task((p) => `name: "fact ${i}", set_fact: { x${i}: ${yq(p)} }`)(corpus[Number(i)]!, i), i),
          line(use('x')('', i), i),
        ]),
      }),
    }),
  },
  inTask('debug: msg:', (p, i) => `name: "msg ${i}", debug: { msg: ${yq(p)} }`),
]
