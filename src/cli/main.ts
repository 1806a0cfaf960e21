/**
 * `tend` command line: flags → a command; one top-level catch maps every error to an exit code.
 * Commands are imported lazily so `tend --help` stays fast (no engine, yaml or listr2 loaded).
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError, InvalidArgumentError } from 'commander'
import { ExitCode } from '../exit-codes.js'
import { DEFAULT_INVENTORY, type InventoryFlags, type RunFlags, type ValidateFlags } from './flags.js'
import { exitCodeForError, reportError } from './report-error.js'

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

function collect(value: string, previous: readonly string[] = []): readonly string[] {
  return [...previous, value]
}

/** --tags a,b --tags c → [a, b, c] (Ansible accepts both forms). */
function collectList(value: string, previous: readonly string[] = []): readonly string[] {
  return [...previous, ...value.split(',').map((t) => t.trim()).filter((t) => t !== '')]
}

const INVENTORY_HELP = `inventory file (Ansible YAML format; default: ${DEFAULT_INVENTORY})`
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
    .command('demo')
    .description('boot a throw-away host, stage the scidex-api incident, and watch tend fix it (root)')
    .action(async () => {
      const { demoCommand } = await import('../demo/demo.js')
      commandExitCode = await demoCommand()
    })

  return tend
}

function exitCodeForCommander(error: CommanderError): number {
  const fine = ['commander.helpDisplayed', 'commander.version', 'commander.help']
  return fine.includes(error.code) ? ExitCode.ok : ExitCode.invalidInput
}

/** Runs tend with argv (without node and script) and returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
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
