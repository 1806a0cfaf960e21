/**
 * The one table of tend's command-line options: each option's flags, help and parser, once. The
 * commands pick theirs by key (src/cli/flags.ts), commander is fed from the table (`addOptions`),
 * and each command's flag type is derived from its list (`FlagsOf`), so a parser and the type
 * of the value it returns cannot drift, and `--rate` means the same to every command that takes it.
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { parseListen, type Listen } from '../http/listen.js'
import { parseDuration } from '../watch/duration.js'
import { parseSize, timerProblem } from '../limits.js'

export const DEFAULT_INVENTORY = 'inventory/local.yaml'
const DEFAULT_STEP_TIMEOUT_SECONDS = 300
export const DEFAULT_LISTEN = '127.0.0.1:8470'

function positiveInteger(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more')
  return n
}

function positiveSeconds(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0')
  const problem = timerProblem(n)
  if (problem !== undefined) throw new InvalidArgumentError(`${n} s ${problem}`)
  return n
}

function positiveNumber(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0')
  return n
}

/** `30s`, `5m`, `1h`, `30d` → ms (parsed here so a bad value is a usage error before anything runs). */
function duration(value: string): number {
  const ms = parseDuration(value)
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 500ms, 30s, 5m, 1h or 30d')
  return ms
}

/** A duration a timer waits (an interval, a grace period): at most what setTimeout holds. */
function timerDuration(value: string): number {
  const ms = duration(value)
  const problem = timerProblem(ms / 1000)
  if (problem !== undefined) throw new InvalidArgumentError(`${value} ${problem}`)
  return ms
}

/** `10M`, `512k`, `1G` or bytes. */
function size(value: string): number {
  const bytes = parseSize(value)
  if (bytes === undefined) throw new InvalidArgumentError('expected a size such as 10M, 512k, 1G or a number of bytes')
  return bytes
}

function listenAddress(value: string): Listen {
  const where = parseListen(value)
  if (where === undefined) throw new InvalidArgumentError('expected HOST:PORT, [IPv6]:PORT or PORT (loopback)')
  return where
}

function collect(value: string, previous: readonly string[] = []): readonly string[] {
  return [...previous, value]
}

/** --tags a,b --tags c → [a, b, c] (Ansible accepts both forms). */
function collectList(value: string, previous: readonly string[] = []): readonly string[] {
  return [...previous, ...value.split(',').map((t) => t.trim()).filter((t) => t !== '')]
}

/** -v, -vv, -vvv: each one counts. */
function count(_: string, previous: number): number {
  return previous + 1
}

interface OptionSpec {
  /** commander's flags; the value's attribute is the long flag in camelCase. */
  readonly flags: string
  readonly help: string
  readonly parse?: (value: string, previous: never) => unknown
  readonly default?: unknown
  readonly required?: true
}

export const QUEUE_HELP = 'Redis of the distributed mode: redis://[user:pass@]HOST:PORT[/DB], rediss:// for TLS; bare --queue takes the URL from $TEND_QUEUE_URL (or give --queue-url-file), keeping a password out of ps and shell history'
const HOST_KEYS_HELP = 'trust and record unknown ssh host keys (changed keys are still refused)'

export const OPTIONS = {
  inventory: { flags: '-i, --inventory <file>', help: `inventory file (Ansible YAML format; default: ${DEFAULT_INVENTORY})` },
  limit: { flags: '-l, --limit <pattern>', help: 'further limit hosts: an Ansible pattern, or @FILE with one pattern per line' },
  check: { flags: '-C, --check', help: 'probe and show what would change; change nothing (exit 3 on drift)' },
  diff: { flags: '-D, --diff', help: 'show file changes as unified diffs' },
  forks: { flags: '-f, --forks <n>', help: 'hosts converging at once', parse: positiveInteger, default: 5 },
  tags: { flags: '-t, --tags <tags>', help: 'only tasks with these tags (comma-separated, repeatable)', parse: collectList },
  skipTags: { flags: '--skip-tags <tags>', help: 'skip tasks with these tags (comma-separated, repeatable)', parse: collectList },
  extraVars: { flags: '-e, --extra-vars <var>', help: 'extra variable KEY=VALUE, or @FILE (YAML/JSON); repeatable, highest precedence', parse: collect },
  json: { flags: '--json', help: 'write the event stream as NDJSON on stdout, one event per line' },
  stepTimeout: { flags: '--step-timeout <seconds>', help: 'default deadline of one task', parse: positiveSeconds, default: DEFAULT_STEP_TIMEOUT_SECONDS },
  acceptNewHostKeys: { flags: '--accept-new-host-keys', help: HOST_KEYS_HELP },
  waitLock: { flags: '--wait-lock <seconds>', help: 'wait this long for a host another tend is converging (default: fail at once)', parse: positiveSeconds },
  queue: { flags: '--queue [url]', help: QUEUE_HELP },
  queueUrlFile: { flags: '--queue-url-file <path>', help: 'read the queue URL from this file (mode 0600: readable by its owner only); implies --queue' },
  maxHostsInFlight: { flags: '--max-hosts-in-flight <n>', help: 'with --queue: hosts converging at once across all workers', parse: positiveInteger },
  workerWait: { flags: '--worker-wait <duration>', help: 'with --queue: while no worker is connected, how long hosts wait before the run gives up, resumable (exit 8; default: 5m)', parse: timerDuration },
  rate: { flags: '--rate <n>', help: 'host convergences started per second', parse: positiveNumber },
  stateDir: { flags: '--state-dir <dir>', help: 'where runs are recorded (default: $TEND_STATE_DIR, else $XDG_STATE_HOME/tend or ~/.local/state/tend)' },
  listHosts: { flags: '--list-hosts', help: 'list the hosts each play would run on; contact none' },
  listTasks: { flags: '--list-tasks', help: 'list the tasks each play would run (after --tags/--skip-tags); contact no host' },
  listTags: { flags: '--list-tags', help: 'list the tags of each play\'s tasks; contact no host' },
  startAtTask: { flags: '--start-at-task <name>', help: 'start at the first task with this name (or glob)' },
  syntaxCheck: { flags: '--syntax-check', help: 'check the playbook and inventory (as `tend validate`) and run nothing' },
  verbose: { flags: '-v, --verbose', help: '-v changes and results, -vv each remote command (duration, exit code), -vvv its output', parse: count, default: 0 },
  user: { flags: '-u, --user <user>', help: 'ssh user where the inventory sets no ansible_user' },
  privateKey: { flags: '--private-key <file>', help: 'ssh key where the inventory sets no ansible_ssh_private_key_file' },
  become: { flags: '-b, --become', help: 'run tasks with sudo -n where neither playbook nor inventory say otherwise' },
  becomeUser: { flags: '--become-user <user>', help: 'user to become with -b (default root)' },
  replan: { flags: '--replan', help: 'accept playbook, vars or inventory changes made since the run froze its plan' },
  count: { flags: '-n, --limit <n>', help: 'list at most this many runs (default 50)', parse: positiveInteger },
  every: { flags: '--every <duration>', help: 'interval: each host converges once per interval (30s, 5m, 1h)', parse: timerDuration, required: true },
  splay: { flags: '--splay <duration>', help: "spread hosts over this much of the interval (each host's offset comes from its name)", parse: timerDuration },
  keep: { flags: '--keep <duration>', help: 'prune history older than this (default: 30d)', parse: duration },
  grace: { flags: '--grace <duration>', help: 'on SIGTERM, how long running changes may take to finish (default: 60s)', parse: timerDuration },
  metrics: { flags: '--metrics <host:port>', help: 'serve /metrics and /healthz here (PORT alone: loopback)', parse: listenAddress },
  concurrency: { flags: '--concurrency <n>', help: 'host jobs this worker converges at once', parse: positiveInteger, default: 1 },
  name: { flags: '--name <name>', help: 'worker name shown by `tend queue status` and in lock owners (default: HOSTNAME-PID)' },
  stallSeconds: { flags: '--stall-seconds <seconds>', help: 'job lock duration: a dead worker\'s job goes to another worker after about this long', parse: positiveSeconds, default: 30 },
  host: { flags: '--host <pattern>', help: 'only these hosts (a:b, web*, ~regex, !exclude)' },
  since: { flags: '--since <duration>', help: 'only cycles started within this long (30m, 1d)', parse: duration },
  status: { flags: '--status <list>', help: 'outcomes to show: all, or ok,corrected,failed,unreachable,busy (default: corrected,failed,unreachable)' },
  list: { flags: '--list', help: 'JSON like ansible-inventory --list (default: the selected hosts, one per line)' },
  graph: { flags: '--graph', help: 'groups and hosts as a tree' },
  outputCap: { flags: '--output-cap <size>', help: 'stdout and stderr kept per command, each (10M, 512k, bytes); past it output is dropped and the result says how much (default: $TEND_OUTPUT_CAP, else 10M)', parse: size },
  listen: { flags: '--listen <host:port>', help: 'address to listen on (loopback by default)', default: DEFAULT_LISTEN },
} as const satisfies Readonly<Record<string, OptionSpec>>

export type OptionKey = keyof typeof OPTIONS

/** A command takes an option as the table says, or with its own help and/or made mandatory. */
export type OptionUse = OptionKey | { readonly key: OptionKey; readonly help?: string; readonly required?: true }

type KeyOf<U> = U extends { readonly key: infer K } ? K : U
type SpecOf<U> = (typeof OPTIONS)[KeyOf<U> & OptionKey]
type ValueOf<S> = S extends { readonly parse: (value: string, previous: never) => infer T } ? T
  : S extends { readonly flags: `${string}<${string}` } ? string
  // An optional value (`--queue [url]`): the value, or true when the flag is bare.
  : S extends { readonly flags: `${string}[${string}` } ? string | true : boolean
/** Always set: mandatory, or with a default. */
type Always<U> = U extends { readonly required: true } ? true : SpecOf<U> extends { readonly required: true } | { readonly default: unknown } ? true : false

/** The flags a command's action receives, from the command's option list. */
export type FlagsOf<L extends readonly OptionUse[]> = {
  readonly [U in L[number] as Always<U> extends true ? KeyOf<U> & string : never]: ValueOf<SpecOf<U>>
} & {
  readonly [U in L[number] as Always<U> extends true ? never : KeyOf<U> & string]?: ValueOf<SpecOf<U>>
}

const keyOf = (use: OptionUse): OptionKey => (typeof use === 'string' ? use : use.key)

/** Adds the options of `uses` to `command`, from the table. */
export function addOptions(command: Command, uses: readonly OptionUse[]): Command {
  for (const use of uses) {
    const spec: OptionSpec = OPTIONS[keyOf(use)]
    const option = new Option(spec.flags, (typeof use === 'object' ? use.help : undefined) ?? spec.help)
    if (spec.parse !== undefined) option.argParser(spec.parse as (value: string, previous: unknown) => unknown)
    if (spec.default !== undefined) option.default(spec.default)
    if (spec.required === true || (typeof use === 'object' && use.required === true)) option.makeOptionMandatory()
    command.addOption(option)
  }
  return command
}

/** commander's parsed values (keyed by attribute) as the command's flags (keyed by the table). */
export function flagsFrom<L extends readonly OptionUse[]>(command: Command, uses: L): FlagsOf<L> {
  const values = command.opts()
  const flags: Record<string, unknown> = {}
  for (const use of uses) {
    const key = keyOf(use)
    const value = values[new Option(OPTIONS[key].flags).attributeName()]
    if (value !== undefined) flags[key] = value
  }
  return flags as FlagsOf<L>
}
