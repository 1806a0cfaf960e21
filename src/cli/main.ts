/**
 * `tend` command line: flags → a command; one top-level catch maps every error to an exit code.
 * Commands are imported lazily so `tend --help` stays fast (no engine, yaml or listr2 loaded).
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError, InvalidArgumentError } from 'commander'
import { ExitCode } from '../exit-codes.js'
import { longRunningSignals } from './signals.js'
import {
  DEFAULT_INVENTORY, type HistoryFlags, type InventoryFlags, type ResumeFlags, type RunFlags, type RunsFlags, type ValidateFlags, type WatchFlags, type WorkerFlags,
} from './flags.js'
import { exitCodeForError, reportError } from './report-error.js'
import { parseDuration } from '../watch/duration.js'
import { parseListen } from '../http/listen.js'

const DEFAULT_STEP_TIMEOUT_SECONDS = 300

function positiveInteger(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of 1 or more')
  return n
}

function positiveSeconds(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds above 0')
  return n
}

function positiveNumber(value: string): number {
  const n = Number(value)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0')
  return n
}

const QUEUE_HELP = 'Redis of the distributed mode: redis://[user:pass@]HOST:PORT[/DB], rediss:// for TLS'

/** `30s`, `5m`, `1h`, `30d` → ms (parsed here so a bad value is a usage error before anything runs). */
function duration(value: string): number {
  const ms = parseDuration(value)
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 500ms, 30s, 5m, 1h or 30d')
  return ms
}

function listenAddress(value: string): { host: string; port: number } {
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

const INVENTORY_HELP = `inventory file (Ansible YAML format; default: ${DEFAULT_INVENTORY})`
const STATE_DIR_HELP = 'where runs are recorded (default: $TEND_STATE_DIR, else $XDG_STATE_HOME/tend or ~/.local/state/tend)'
const EXTRA_VARS_HELP = 'extra variable KEY=VALUE, or @FILE (YAML/JSON); repeatable, highest precedence'

/** tend's package.json: the nearest one up from this file (src/cli/, or dist/bundle/ when built). */
function version(): string {
  let dir = new URL('.', import.meta.url)
  for (let depth = 0; depth < 4; depth++, dir = new URL('..', dir)) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'))
      if (typeof pkg === 'object' && pkg !== null && 'version' in pkg) return String(pkg.version)
    } catch {
      // not at this level
    }
  }
  return 'unknown'
}

/** Sets the exit code a command's action decided on (commander actions cannot return one). */
let commandExitCode: number = ExitCode.ok

function program(): Command {
  const tend = new Command('tend')
    .description('Keeps Linux servers in the state their playbooks declare.')
    .version(version(), '-V, --version')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })

  tend
    .command('run')
    .description('converge the hosts a playbook targets')
    .argument('<playbook>', 'playbook file')
    .option('-i, --inventory <file>', INVENTORY_HELP)
    .option('-l, --limit <pattern>', 'further limit hosts: an Ansible pattern, or @FILE with one pattern per line')
    .option('-C, --check', 'probe and show what would change; change nothing (exit 3 on drift)')
    .option('-D, --diff', 'show file changes as unified diffs')
    .option('-f, --forks <n>', 'hosts converging at once', positiveInteger, 5)
    .option('-t, --tags <tags>', 'only tasks with these tags (comma-separated, repeatable)', collectList)
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated, repeatable)', collectList)
    .option('-e, --extra-vars <var>', EXTRA_VARS_HELP, collect)
    .option('--json', 'write the event stream as NDJSON on stdout, one event per line')
    .option('--step-timeout <seconds>', 'default deadline of one task', positiveSeconds, DEFAULT_STEP_TIMEOUT_SECONDS)
    .option('--accept-new-host-keys', 'trust and record unknown ssh host keys (changed keys are still refused)')
    .option('--wait-lock <seconds>', 'wait this long for a host another tend is converging (default: fail at once)', positiveSeconds)
    .option('--queue <url>', `converge each host on a tend worker; ${QUEUE_HELP}`)
    .option('--max-hosts-in-flight <n>', 'with --queue: hosts converging at once across all workers', positiveInteger)
    .option('--rate <n>', 'with --queue: host convergences started per second, across all workers', positiveNumber)
    .option('--state-dir <dir>', STATE_DIR_HELP)
    // ansible-playbook's flags, with its meaning (issue 13).
    .option('--list-hosts', 'list the hosts each play would run on; contact none')
    .option('--list-tasks', 'list the tasks each play would run (after --tags/--skip-tags); contact no host')
    .option('--list-tags', 'list the tags of each play\'s tasks; contact no host')
    .option('--start-at-task <name>', 'start at the first task with this name (or glob)')
    .option('--syntax-check', 'check the playbook and inventory (as `tend validate`) and run nothing')
    .option('-v, --verbose', '-v changes and results, -vv each remote command (duration, exit code), -vvv its output', (_: string, n: number) => n + 1, 0)
    .option('-u, --user <user>', 'ssh user where the inventory sets no ansible_user')
    .option('--private-key <file>', 'ssh key where the inventory sets no ansible_ssh_private_key_file')
    .option('-b, --become', 'run tasks with sudo -n where neither playbook nor inventory say otherwise')
    .option('--become-user <user>', 'user to become with -b (default root)')
    .action(async (playbook: string, flags: RunFlags) => {
      const { runCommand } = await import('./commands/run.js')
      commandExitCode = await runCommand(playbook, flags)
    })

  tend
    .command('worker')
    .description('take host jobs from the queue and converge them, until SIGTERM (distributed mode)')
    .requiredOption('--queue <url>', QUEUE_HELP)
    .option('--concurrency <n>', 'host jobs this worker converges at once', positiveInteger, 1)
    .option('--name <name>', 'worker name shown by `tend queue status` and in lock owners (default: HOSTNAME-PID)')
    .option('--stall-seconds <seconds>', 'job lock duration: a dead worker\'s job goes to another worker after about this long', positiveSeconds, 30)
    .option('--metrics <host:port>', 'serve Prometheus metrics on http://HOST:PORT/metrics')
    .option('--accept-new-host-keys', 'trust and record unknown ssh host keys (changed keys are still refused)')
    .action(async (flags: WorkerFlags) => {
      const { workerCommand } = await import('./commands/worker.js')
      commandExitCode = await workerCommand(flags)
    })

  tend
    .command('queue')
    .description('inspect the distributed mode\'s queue')
    .command('status')
    .description('workers connected, and jobs waiting/active/failed per run')
    .requiredOption('--queue <url>', QUEUE_HELP)
    .option('--json', 'one JSON object')
    .action(async (flags: { queue: string; json?: boolean }) => {
      const { queueStatusCommand } = await import('./commands/queue-status.js')
      commandExitCode = await queueStatusCommand(flags)
    })

  tend
    .command('watch')
    .description('converge every host once per interval, record the drift history, serve metrics; until SIGTERM')
    .argument('<playbook>', 'playbook file')
    .requiredOption('--every <duration>', 'interval: each host converges once per interval (30s, 5m, 1h)', duration)
    .option('-i, --inventory <file>', INVENTORY_HELP)
    .option('-l, --limit <pattern>', 'further limit hosts: an Ansible pattern, or @FILE with one pattern per line')
    .option('-f, --forks <n>', 'hosts converging at once', positiveInteger, 5)
    .option('-t, --tags <tags>', 'only tasks with these tags (comma-separated, repeatable)', collectList)
    .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated, repeatable)', collectList)
    .option('-e, --extra-vars <var>', EXTRA_VARS_HELP, collect)
    .option('--splay <duration>', "spread hosts over this much of the interval (each host's offset comes from its name)", duration)
    .option('--rate <n>', 'start at most N host convergences per second across the fleet', positiveSeconds)
    .option('--keep <duration>', 'prune history older than this (default: 30d)', duration)
    .option('--grace <duration>', 'on SIGTERM, how long running changes may take to finish (default: 60s)', duration)
    .option('--metrics <host:port>', 'serve /metrics and /healthz here (PORT alone: loopback)', listenAddress)
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--queue <url>', `host-cycles run on tend workers, scheduled in Redis (several controllers may watch at once); ${QUEUE_HELP}`)
    .option('--json', 'write the event stream as NDJSON on stdout, each event with its host-cycle id')
    .option('--step-timeout <seconds>', 'default deadline of one task', positiveSeconds, DEFAULT_STEP_TIMEOUT_SECONDS)
    .option('--accept-new-host-keys', 'trust and record unknown ssh host keys (changed keys are still refused)')
    .action(async (playbook: string, flags: WatchFlags) => {
      const { watchCommand } = await import('./commands/watch.js')
      commandExitCode = await watchCommand(playbook, flags)
    })

  tend
    .command('history')
    .description('show the drift history: host-cycles that corrected drift or failed, newest first')
    .option('--host <pattern>', 'only these hosts (a:b, web*, ~regex, !exclude)')
    .option('--since <duration>', 'only cycles started within this long (30m, 1d)', duration)
    .option('--status <list>', 'outcomes to show: all, or ok,corrected,failed,unreachable,busy (default: corrected,failed,unreachable)')
    .option('--json', 'one host-cycle per line as JSON')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .action(async (flags: HistoryFlags) => {
      const { historyCommand } = await import('./commands/history.js')
      commandExitCode = await historyCommand(flags)
    })

  tend
    .command('resume')
    .description('continue a halted, failed or interrupted run from where it stopped (default: the latest unfinished run)')
    .argument('[run-id]', 'the run to continue (tend runs lists them)')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--replan', 'accept playbook, vars or inventory changes made since the run froze its plan')
    .option('--json', 'write the event stream as NDJSON on stdout, one event per line')
    .option('--wait-lock <seconds>', 'wait this long for a host another tend is converging (default: fail at once)', positiveSeconds)
    .option('--queue <url>', `the hosts left converge on tend workers; ${QUEUE_HELP}`)
    .option('--max-hosts-in-flight <n>', 'with --queue: hosts converging at once across all workers', positiveInteger)
    .option('--rate <n>', 'with --queue: host convergences started per second, across all workers', positiveNumber)
    .action(async (runId: string | undefined, flags: ResumeFlags) => {
      const { resumeCommand } = await import('./commands/resume.js')
      commandExitCode = await resumeCommand(runId, flags)
    })

  tend
    .command('runs')
    .description('list recorded runs, or show one host by host with the evidence of its last convergence')
    .argument('[run-id]', 'show this run')
    .option('--state-dir <dir>', STATE_DIR_HELP)
    .option('--json', 'JSON instead of text')
    .option('-n, --limit <n>', 'list at most this many runs (default 50)', positiveInteger)
    .action(async (runId: string | undefined, flags: RunsFlags) => {
      const { runsCommand } = await import('./commands/runs.js')
      commandExitCode = await runsCommand(runId, flags)
    })

  tend
    .command('validate')
    .description('report every problem in a playbook, its inventory and variables; contacts no host')
    .argument('<playbook>', 'playbook file')
    .option('-i, --inventory <file>', INVENTORY_HELP)
    .option('-e, --extra-vars <var>', EXTRA_VARS_HELP, collect)
    .action(async (playbook: string, flags: ValidateFlags) => {
      const { validateCommand } = await import('./commands/validate.js')
      commandExitCode = await validateCommand(playbook, flags)
    })

  tend
    .command('inventory')
    .description('show the hosts and groups of an inventory, and what a pattern selects')
    .option('-i, --inventory <file>', INVENTORY_HELP)
    .option('--list', 'JSON like ansible-inventory --list (the default)')
    .option('--graph', 'groups and hosts as a tree')
    .option('-l, --limit <pattern>', 'only hosts matching an Ansible pattern, or @FILE')
    .action(async (flags: InventoryFlags) => {
      const { inventoryCommand } = await import('./commands/inventory.js')
      commandExitCode = await inventoryCommand(flags)
    })

  tend
    .command('schema')
    .description('print the JSON Schema of playbooks or inventories (for yaml-language-server)')
    .argument('[kind]', 'playbook or inventory', 'playbook')
    .action(async (kind: string) => {
      const { schemaCommand } = await import('./commands/schema.js')
      commandExitCode = await schemaCommand(kind)
    })

  tend
    .command('serve')
    .description('serve the fleet page (hosts, drift, runs) from the state store, read-only')
    .option('--listen <host:port>', 'address to listen on (loopback by default)', '127.0.0.1:8470')
    .option('--state-dir <dir>', 'state directory (default: TEND_STATE_DIR, else ~/.local/state/tend)')
    .option('-i, --inventory <file>', 'list this inventory\'s hosts (also those never seen) with their groups')
    .action(async (flags: { listen: string; stateDir?: string; inventory?: string }) => {
      const { serveCommand } = await import('./commands/serve.js')
      commandExitCode = await serveCommand(flags)
    })

  tend
    .command('demo')
    .description('boot a throw-away host, stage the scidex-api incident, and watch tend fix it (root)')
    .action(async () => {
      const { demoCommand } = await import('../demo/demo.js')
      commandExitCode = await demoCommand((stop) => longRunningSignals({ stop, force: () => process.exit(ExitCode.interrupted) }))
    })

  return tend
}

function exitCodeForCommander(error: CommanderError): number {
  const fine = ['commander.helpDisplayed', 'commander.version', 'commander.help']
  return fine.includes(error.code) ? ExitCode.ok : ExitCode.invalidInput
}

/** Runs tend with argv (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // Timeline marks for the bench's profile mode (bench/profile/timeline.mjs); a mark costs microseconds.
  performance.mark('tend:main')
  try {
    await program().parseAsync([...argv], { from: 'user' })
    return commandExitCode
  } catch (error) {
    // Commander already printed its message (unknown option, missing argument, bad value).
    if (error instanceof CommanderError) return exitCodeForCommander(error)
    reportError(error)
    return exitCodeForError(error)
  }
}

/** Exits once stdout has taken everything written (a pipe reader must see the last line). */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.exit(code))
}

main(process.argv.slice(2)).then(exitAfterFlush, (error: unknown) => {
  reportError(error)
  exitAfterFlush(ExitCode.internal)
})
