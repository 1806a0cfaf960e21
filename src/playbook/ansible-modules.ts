/**
 * Ansible's module names in tend. `ansible.builtin.X` (and `ansible.legacy.X`) is `X`; the modules
 * whose meaning tend keeps are read with Ansible's arguments (`k=v` text too, argsMapping) and
 * translated to tend's own spec here, at load time: `copy` with content/dest is `file`,
 * `systemd`/`service` are `unit`, Ansible's `file` aliases are `path`. A translation that depends
 * on a template (`state: "{{ s }}"`) is made again once rendered (translateRendered).
 * Every other Ansible module name gets a diagnostic naming what to use in tend, or saying there
 * is nothing.
 */
import { shlexSplit } from './inventory-ini.js'
import { isTemplate } from '../template/playbook.js'
import { parseKv } from './ansible-args.js'

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)

/** `word`: the text at fault inside `k=v` arguments, for the diagnostic's column. */
type Problem = { readonly key?: string; readonly word?: string; readonly message: string; readonly hint?: string }

/** A translation: tend's module kind and spec, or what is wrong with the Ansible arguments. */
export interface Translated {
  readonly kind: string
  readonly args: unknown
  readonly problems: readonly Problem[]
  /**
   * A value the translation depends on is a template (`state: "{{ s }}"`): the args keep it in
   * Ansible's words and are translated again once rendered (translateRendered).
   */
  readonly deferred?: true
}

/** Splits a command line like Ansible, keeping `{{ … }}` whole (it is split after rendering there). */
export function splitCommandLine(text: string): string[] {
  const parts: string[] = []
  const protectedText = text.replace(/\{\{.*?\}\}/gs, (m) => `\u0000${parts.push(m) - 1}\u0000`)
  const tokens = shlexSplit(protectedText)
  if ('error' in tokens) return [text]
  return tokens.map((t) => t.text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => parts[Number(i)]!))
}

/**
 * A module's value as a mapping: `k=v` text parsed as Ansible's parse_kv does (command and shell
 * keep their free-form command line). `shorthand` is tend's: text that is not all `k=v` words
 * stands for that one property (`debug: hello`). Anything else is returned as it is.
 */
export function argsMapping(kind: string, value: unknown, shorthand?: string, known?: readonly string[]): { args: unknown; problem?: Problem } {
  if (value === null || value === undefined) return { args: {} }
  if (typeof value !== 'string') return { args: value }
  const freeForm = kind === 'command' || kind === 'shell'
  const parsed = parseKv(value, freeForm)
  if ('error' in parsed) return { args: value, problem: { message: `\`${kind}\`: ${parsed.error}`, hint: 'Quote values with spaces as a whole: key="a b".' } }
  if (freeForm) {
    const line = parsed.raw ?? ''
    return { args: kind === 'command' ? { ...parsed.options, argv: splitCommandLine(line) } : { ...parsed.options, cmd: line } }
  }
  const keys = Object.keys(parsed.options)
  const allKnown = known === undefined || keys.every((k) => known.includes(k))
  if (parsed.raw === undefined && keys.length > 0 && (shorthand === undefined || allKnown)) return { args: parsed.options }
  if (shorthand !== undefined) return { args: { [shorthand]: value } }
  const word = parsed.raw ?? value
  return {
    args: parsed.options,
    problem: {
      word: word.split(' ')[0],
      message: `\`${kind}\` takes key=value arguments; \`${word}\` is not one`,
      hint: isTemplate(word) ? 'A template giving a whole mapping of arguments is not read; write the keys.' : 'Write `key=value` words, or a YAML mapping under the module.',
    },
  }
}

function command(args: Mapping): Translated {
  if (typeof args.cmd === 'string' && args.argv === undefined) {
    const { cmd, ...rest } = args
    return { kind: 'command', args: { ...rest, argv: splitCommandLine(cmd) }, problems: [] }
  }
  return { kind: 'command', args, problems: [] }
}

function copy(args: Mapping): Translated {
  const { dest, content, src, ...rest } = args
  // A src found on the controller was read into content already (includes.ts resolveSource).
  const problems = src !== undefined && content === undefined
    ? [{ key: 'src', message: `\`copy: src\` must name a file tend can read when it loads the playbook (got \`${String(src)}\`)`, hint: 'A plain path, looked up in the role\'s files/, the playbook\'s files/, then beside the playbook; not a template.' }]
    : []
  return { kind: 'file', args: { ...(dest !== undefined ? { path: dest } : {}), ...(content !== undefined ? { content } : {}), ...rest }, problems }
}

/** Ansible's file states in tend's file module (regular files only). */
const FILE_STATES: Readonly<Record<string, string>> = { absent: 'absent', file: 'present', touch: 'present', present: 'present' }

/** Ansible's `file` (and tend's): `path`, with Ansible's aliases `dest` and `name`. */
function file(args: Mapping): Translated {
  const { dest, name, state, ...rest } = args
  const path = rest.path ?? dest ?? name
  const problems: Problem[] = []
  let mapped: Mapping = {}
  const templated = isTemplate(state)
  if (state !== undefined && !templated) {
    const s = FILE_STATES[String(state)]
    if (s !== undefined) mapped = { state: s }
    else problems.push({ key: 'state', message: `file state \`${String(state)}\` is not one tend has: tend's file is a regular file`, hint: 'absent, file or touch (tend: present/absent). Directories and links: `command: [mkdir, -p, DIR]` with `creates: DIR`, or a template for the file inside.' })
  }
  return { kind: 'file', args: { ...rest, ...(path !== undefined ? { path } : {}), ...(templated ? { state } : mapped) }, problems, ...(templated ? { deferred: true as const } : {}) }
}

const UNIT_STATES: Readonly<Record<string, Mapping>> = {
  started: { state: 'active' },
  stopped: { state: 'inactive' },
  // Ansible's restarted/reloaded are actions, not states: run every time, reported changed.
  restarted: { state: 'active', action: 'restart' },
  reloaded: { state: 'active', action: 'reload' },
  // tend's own words, so that a translated spec translates to itself.
  active: { state: 'active' },
  inactive: { state: 'inactive' },
}

function systemd(args: Mapping): Translated {
  const { state, daemon_reload: reloadArg, 'daemon-reload': reloadAlias, daemon_reexec: _reexec, 'daemon-reexec': _reexecAlias, ...rest } = args
  const reload = reloadArg ?? reloadAlias
  // `daemon_reload` alone: systemd reloads its unit files (tend: when one changed on disk).
  if (rest.name === undefined && state === undefined && rest.enabled === undefined && rest.masked === undefined && reload !== undefined) {
    return { kind: 'daemon_reload', args: {}, problems: [] }
  }
  const problems: Problem[] = []
  let mapped: Mapping = {}
  const templated = isTemplate(state)
  if (state !== undefined && !templated) {
    const m = UNIT_STATES[String(state)]
    if (m) mapped = m
    else problems.push({ key: 'state', message: `systemd/service state \`${String(state)}\` is not one tend knows`, hint: 'started, stopped, restarted or reloaded (tend: unit state active/inactive, action restart/reload).' })
  }
  // daemon_reload with a name: tend reloads systemd by itself whenever the unit file changed on disk.
  return { kind: 'unit', args: { ...rest, ...(templated ? { state } : mapped) }, problems, ...(templated ? { deferred: true as const } : {}) }
}

const same = (kind: string) => (args: Mapping): Translated => ({ kind, args, problems: [] })

const KEPT: Readonly<Record<string, (args: Mapping) => Translated>> = {
  command,
  shell: same('shell'),
  template: same('template'),
  debug: same('debug'),
  set_fact: same('set_fact'),
  assert: same('assert'),
  fail: same('fail'),
  wait_for: same('wait_for'),
  copy,
  file,
  systemd,
  service: systemd,
  systemd_service: systemd,
  stat,
}

/** Ansible's aliases of stat's arguments → the names tend's stat takes. */
const STAT_ALIASES: Readonly<Record<string, string>> = {
  dest: 'path', name: 'path', checksum: 'checksum_algorithm', checksum_algo: 'checksum_algorithm',
  mime: 'get_mime', mime_type: 'get_mime', 'mime-type': 'get_mime', attr: 'get_attributes', attributes: 'get_attributes',
}

function stat(args: Mapping): Translated {
  return { kind: 'stat', args: Object.fromEntries(Object.entries(args).map(([k, v]) => [STAT_ALIASES[k] ?? k, v])), problems: [] }
}

/** `ansible.builtin.copy` → `copy`; a bare name is itself. */
export function shortName(key: string): string {
  const m = /^ansible\.(?:builtin|legacy)\.(\w+)$/.exec(key)
  return m ? m[1]! : key
}

/** The translation of an Ansible module key, if tend keeps that module's meaning. */
export function ansibleModule(key: string): ((args: Mapping) => Translated) | undefined {
  const short = shortName(key)
  // `command`/`shell`/`template`/`file` are tend's own names too; their Ansible forms are read here.
  return Object.hasOwn(KEPT, short) ? KEPT[short] : undefined
}

/**
 * A deferred translation (Translated.deferred) on the rendered args: the spec tend's module
 * gets, or the problems (`state: "{{ s }}"` that rendered to a word tend does not know).
 */
export function translateRendered(ansible: string, args: unknown): Translated {
  const translate = ansibleModule(ansible)
  if (translate === undefined || !isMapping(args)) return { kind: ansible, args, problems: [] }
  return translate(args)
}

/** What to use instead of an Ansible module tend does not have. */
const INSTEAD: Readonly<Record<string, string>> = {
  uri: 'use the `http` gate (`http: {url, status}`) to check an endpoint; tend does not send other requests',
  get_url: 'tend has no download module; use `command: [curl, -fsSLo, DEST, URL]` with `creates: DEST`',
  lineinfile: 'tend manages whole files: use `template` or `file` with `content`',
  blockinfile: 'tend manages whole files: use `template` or `file` with `content`',
  replace: 'tend manages whole files: use `template` or `file` with `content`',
  apt: 'tend has no package module; use `command: [apt-get, install, -y, PKG]` with `creates:`',
  yum: 'tend has no package module; use `command: [dnf, install, -y, PKG]` with `creates:`',
  dnf: 'tend has no package module; use `command: [dnf, install, -y, PKG]` with `creates:`',
  package: 'tend has no package module; use `command` with the distribution\'s package manager and `creates:`',
  pip: 'tend has no pip module; use `command: [pip, install, PKG]` with `creates:`',
  user: 'tend has no user module; use `command: [useradd, NAME]` with `creates: /home/NAME`',
  group: 'tend has no group module; use `command: [groupadd, NAME]` guarded by `when`',
  git: 'tend has no git module; use `command: [git, clone, URL, DIR]` with `creates: DIR`',
  cron: 'tend has no cron module; write the file with `file`/`template` under /etc/cron.d',
  mount: 'tend has no mount module; declare a systemd `.mount` unit with `template` and `unit`',
  sysctl: 'tend has no sysctl module; write /etc/sysctl.d/NAME.conf with `file` and run `command: [sysctl, --system]` from a handler',
  reboot: 'tend does not reboot hosts',
  ping: 'every tend task reaches the host; a `command: [true]` task checks the connection',
  setup: 'use `gather_facts: true` on the play',
  script: 'copy the script with `file`/`template` and run it with `command`',
  raw: 'use `command` or `shell`',
  include_vars: 'use `vars_files` on the play',
  journald: 'use the `journal` gate',
  unarchive: 'tend has no archive module; use `command: [tar, -xf, FILE, -C, DIR]` with `creates:`',
  synchronize: 'tend has no file transfer beyond `file`/`template`',
  fetch: 'tend does not copy files back to the controller',
  slurp: 'use `command: [cat, PATH]` with `register`',
  async_status: 'tend has no async tasks',
  add_host: 'tend\'s inventory is fixed for a run; use a dynamic inventory script instead',
  group_by: 'tend\'s inventory is fixed for a run; use groups in the inventory',
}

/** Where Ansible's modules of other collections live (ansible-core's ansible_builtin_runtime.yml). */
const COLLECTION_OF: Readonly<Record<string, string>> = {
  mount: 'ansible.posix', sysctl: 'ansible.posix', synchronize: 'ansible.posix', authorized_key: 'ansible.posix',
  acl: 'ansible.posix', at: 'ansible.posix', patch: 'ansible.posix', selinux: 'ansible.posix', seboolean: 'ansible.posix',
  firewalld: 'ansible.posix', ufw: 'community.general', timezone: 'community.general', modprobe: 'community.general',
  make: 'community.general', pam_limits: 'community.general', locale_gen: 'community.general', alternatives: 'community.general',
}

/** `ansible.posix.mount` → `mount`, where that module lives there; else the short name of ansible.builtin. */
function moduleName(key: string): string {
  const m = /^([a-z_]+\.[a-z_]+)\.(\w+)$/.exec(key)
  return m && COLLECTION_OF[m[2]!] === m[1] ? m[2]! : shortName(key)
}

/** A diagnostic text for an Ansible (or collection) module tend lacks; undefined for other names. */
export function missingAnsibleModule(key: string): string | undefined {
  const short = moduleName(key)
  const instead = INSTEAD[short]
  if (instead !== undefined) return `Ansible's \`${short}\` is not in tend: ${instead}.`
  if (/^ansible\.(builtin|legacy)\./.test(key) || /^[a-z_]+\.[a-z_]+\.\w+$/.test(key)) return `\`${key}\` is an Ansible module tend has no equivalent of.`
  return undefined
}
