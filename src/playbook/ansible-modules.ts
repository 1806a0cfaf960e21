/**
 * Ansible's module names in tend. `ansible.builtin.X` (and `ansible.legacy.X`) is `X`; the modules
 * whose meaning tend keeps are read with Ansible's arguments and translated to tend's own spec
 * here, at load time: `copy` with content/dest is `file`, `systemd`/`service` are `unit`.
 * Every other Ansible module name gets a diagnostic naming what to use in tend, or saying there
 * is nothing.
 */
import { shlexSplit } from './inventory-ini.js'

type Mapping = Record<string, unknown>
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A translation: tend's module kind and spec, or what is wrong with the Ansible arguments. */
export interface Translated {
  readonly kind: string
  readonly args: unknown
  readonly problems: readonly { readonly key?: string; readonly message: string; readonly hint?: string }[]
}

/** Splits a command line like Ansible, keeping `{{ … }}` whole (it is split after rendering there). */
export function splitCommandLine(text: string): string[] {
  const parts: string[] = []
  const protectedText = text.replace(/\{\{.*?\}\}/gs, (m) => `\u0000${parts.push(m) - 1}\u0000`)
  const tokens = shlexSplit(protectedText)
  if ('error' in tokens) return [text]
  return tokens.map((t) => t.text.replace(/\u0000(\d+)\u0000/g, (_, i: string) => parts[Number(i)]!))
}

/** Ansible's `key=value key2="v 2"` free-form arguments (parse_kv). */
function parseKv(text: string): Mapping | undefined {
  const out: Mapping = {}
  for (const token of splitCommandLine(text)) {
    const eq = token.indexOf('=')
    if (eq <= 0) return undefined
    out[token.slice(0, eq)] = token.slice(eq + 1)
  }
  return out
}

const kvOrMapping = (args: unknown): unknown => (typeof args === 'string' ? parseKv(args) ?? args : args)

const same = (kind: string) => (args: unknown): Translated => ({ kind, args: kvOrMapping(args), problems: [] })

function command(args: unknown): Translated {
  if (typeof args === 'string') return { kind: 'command', args: { argv: splitCommandLine(args) }, problems: [] }
  if (isMapping(args) && typeof args.cmd === 'string' && args.argv === undefined) {
    const { cmd, ...rest } = args
    return { kind: 'command', args: { ...rest, argv: splitCommandLine(cmd) }, problems: [] }
  }
  return { kind: 'command', args, problems: [] }
}

function copy(args: unknown): Translated {
  const a = kvOrMapping(args)
  if (!isMapping(a)) return { kind: 'file', args: a, problems: [] }
  const { dest, content, src, ...rest } = a
  // A src found on the controller was read into content already (includes.ts resolveSource).
  const problems = src !== undefined && content === undefined
    ? [{ key: 'src', message: '`copy: src` must name a file tend can read when it loads the playbook', hint: 'A plain path, looked up in the role\'s files/, the playbook\'s files/, then beside the playbook; not a template.' }]
    : []
  return { kind: 'file', args: { ...(dest !== undefined ? { path: dest } : {}), ...(content !== undefined ? { content } : {}), ...rest }, problems }
}

const UNIT_STATES: Readonly<Record<string, Mapping>> = {
  started: { state: 'active' },
  stopped: { state: 'inactive' },
  // Ansible's restarted/reloaded are actions, not states: run every time, reported changed.
  restarted: { state: 'active', action: 'restart' },
  reloaded: { state: 'active', action: 'reload' },
}

function systemd(args: unknown): Translated {
  const a = kvOrMapping(args)
  if (!isMapping(a)) return { kind: 'unit', args: a, problems: [] }
  const { state, daemon_reload: _reload, daemon_reexec: _reexec, ...rest } = a
  const problems: Translated['problems'][number][] = []
  let mapped: Mapping = {}
  if (state !== undefined) {
    const m = UNIT_STATES[String(state)]
    if (m) mapped = m
    else problems.push({ key: 'state', message: `systemd/service state \`${String(state)}\` is not one tend knows`, hint: 'started, stopped, restarted or reloaded (tend: unit state active/inactive, action restart/reload).' })
  }
  // daemon_reload: tend reloads systemd by itself whenever the unit file changed on disk.
  return { kind: 'unit', args: { ...rest, ...mapped }, problems }
}

const KEPT: Readonly<Record<string, (args: unknown) => Translated>> = {
  command,
  shell: (args) => ({ kind: 'shell', args, problems: [] }),
  template: same('template'),
  debug: same('debug'),
  set_fact: same('set_fact'),
  assert: same('assert'),
  fail: same('fail'),
  wait_for: same('wait_for'),
  copy,
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

function stat(args: unknown): Translated {
  const a = kvOrMapping(args)
  if (!isMapping(a)) return { kind: 'stat', args: a, problems: [] }
  return { kind: 'stat', args: Object.fromEntries(Object.entries(a).map(([k, v]) => [STAT_ALIASES[k] ?? k, v])), problems: [] }
}

/** `ansible.builtin.copy` → `copy`; a bare name is itself. */
function shortName(key: string): string {
  const m = /^ansible\.(?:builtin|legacy)\.(\w+)$/.exec(key)
  return m ? m[1]! : key
}

/** The translation of an Ansible module key, if tend keeps that module's meaning. */
export function ansibleModule(key: string): ((args: unknown) => Translated) | undefined {
  const short = shortName(key)
  // `command`/`shell`/`template` are tend's own names too; their Ansible forms are read here.
  return Object.hasOwn(KEPT, short) ? KEPT[short] : undefined
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
  file: 'tend\'s `file` is a file with content: `file: {path, content, mode, owner, group, state: present|absent}`; it does not make directories or links',
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
  pause: 'use `wait_for` for a condition, or `loop_control: {pause}` between items',
  journald: 'use the `journal` gate',
  unarchive: 'tend has no archive module; use `command: [tar, -xf, FILE, -C, DIR]` with `creates:`',
  synchronize: 'tend has no file transfer beyond `file`/`template`',
  fetch: 'tend does not copy files back to the controller',
  slurp: 'use `command: [cat, PATH]` with `register`',
  async_status: 'tend has no async tasks',
  add_host: 'tend\'s inventory is fixed for a run; use a dynamic inventory script instead',
  group_by: 'tend\'s inventory is fixed for a run; use groups in the inventory',
}

/** A diagnostic text for an Ansible (or collection) module tend lacks; undefined for other names. */
export function missingAnsibleModule(key: string): string | undefined {
  const short = shortName(key)
  const instead = INSTEAD[short]
  if (instead !== undefined) return `Ansible's \`${short}\` is not in tend: ${instead}.`
  if (/^ansible\.(builtin|legacy)\./.test(key) || /^[a-z_]+\.[a-z_]+\.\w+$/.test(key)) return `\`${key}\` is an Ansible module tend has no equivalent of.`
  return undefined
}
