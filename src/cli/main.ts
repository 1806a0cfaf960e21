/**
 * `tend` command line: flags → a command; one top-level catch maps every error to an exit code.
 * Commands are imported lazily so `tend --help` stays fast (no engine, yaml or listr2 loaded).
 */
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { ExitCode } from '../exit-codes.js'
import { parseSize } from '../limits.js'
import { dropOutputToClosedReaders, isClosed } from './closed-output.js'
import { longRunningSignals } from './signals.js'
import {
  HISTORY_OPTIONS, INVENTORY_OPTIONS, QUEUE_STATUS_OPTIONS, RESUME_OPTIONS, RUN_OPTIONS, RUNS_OPTIONS, SERVE_OPTIONS, VALIDATE_OPTIONS, WATCH_OPTIONS, WORKER_OPTIONS,
} from './flags.js'
import { addOptions, flagsFrom } from './options.js'
import { exitCodeForError, reportError } from './report-error.js'

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
    // --output-cap is read where output is captured (transport/capped.ts), through the variable
    // it stands for: one setting for every transport of this process.
    .hook('preAction', (_, action) => {
      const cap: unknown = action.opts().outputCap
      if (typeof cap === 'number') process.env.TEND_OUTPUT_CAP = String(cap)
    })

  const run = tend.command('run').description('converge the hosts a playbook targets').argument('<playbook>', 'playbook file')
  addOptions(run, RUN_OPTIONS).action(async (playbook: string) => {
    const { runCommand } = await import('./commands/run.js')
    commandExitCode = await runCommand(playbook, flagsFrom(run, RUN_OPTIONS))
  })

  const worker = tend.command('worker').description('take host jobs from the queue and converge them, until SIGTERM (distributed mode)')
  addOptions(worker, WORKER_OPTIONS).action(async () => {
    const { workerCommand } = await import('./commands/worker.js')
    commandExitCode = await workerCommand(flagsFrom(worker, WORKER_OPTIONS))
  })

  const queueStatus = tend.command('queue').description('inspect the distributed mode\'s queue')
    .command('status').description('workers connected, and jobs waiting/active/failed per run')
  addOptions(queueStatus, QUEUE_STATUS_OPTIONS).action(async () => {
    const { queueStatusCommand } = await import('./commands/queue-status.js')
    commandExitCode = await queueStatusCommand(flagsFrom(queueStatus, QUEUE_STATUS_OPTIONS))
  })

  const watch = tend.command('watch')
    .description('converge every host once per interval, record the drift history, serve metrics; until SIGTERM')
    .argument('<playbook>', 'playbook file')
  addOptions(watch, WATCH_OPTIONS).action(async (playbook: string) => {
    const { watchCommand } = await import('./commands/watch.js')
    commandExitCode = await watchCommand(playbook, flagsFrom(watch, WATCH_OPTIONS))
  })

  const history = tend.command('history').description('show the drift history: host-cycles that corrected drift or failed, newest first')
  addOptions(history, HISTORY_OPTIONS).action(async () => {
    const { historyCommand } = await import('./commands/history.js')
    commandExitCode = await historyCommand(flagsFrom(history, HISTORY_OPTIONS))
  })

  const resume = tend.command('resume')
    .description('continue a halted, failed or interrupted run from where it stopped (default: the latest unfinished run)')
    .argument('[run-id]', 'the run to continue (tend runs lists them)')
  addOptions(resume, RESUME_OPTIONS).action(async (runId: string | undefined) => {
    const { resumeCommand } = await import('./commands/resume.js')
    commandExitCode = await resumeCommand(runId, flagsFrom(resume, RESUME_OPTIONS))
  })

  const runs = tend.command('runs')
    .description('list recorded runs, or show one host by host with the evidence of its last convergence')
    .argument('[run-id]', 'show this run')
  addOptions(runs, RUNS_OPTIONS).action(async (runId: string | undefined) => {
    const { runsCommand } = await import('./commands/runs.js')
    commandExitCode = await runsCommand(runId, flagsFrom(runs, RUNS_OPTIONS))
  })

  const validate = tend.command('validate')
    .description('report every problem in a playbook, its inventory and variables; contacts no host')
    .argument('<playbook>', 'playbook file')
  addOptions(validate, VALIDATE_OPTIONS).action(async (playbook: string) => {
    const { validateCommand } = await import('./commands/validate.js')
    commandExitCode = await validateCommand(playbook, flagsFrom(validate, VALIDATE_OPTIONS))
  })

  const inventory = tend.command('inventory').description('show the hosts and groups of an inventory, and what a pattern selects')
  addOptions(inventory, INVENTORY_OPTIONS).action(async () => {
    const { inventoryCommand } = await import('./commands/inventory.js')
    commandExitCode = await inventoryCommand(flagsFrom(inventory, INVENTORY_OPTIONS))
  })

  tend
    .command('schema')
    .description('print the JSON Schema of playbooks or inventories (for yaml-language-server)')
    .argument('[kind]', 'playbook or inventory', 'playbook')
    .action(async (kind: string) => {
      const { schemaCommand } = await import('./commands/schema.js')
      commandExitCode = await schemaCommand(kind)
    })

  const serve = tend.command('serve').description('serve the fleet page (hosts, drift, runs) from the state store, read-only')
  addOptions(serve, SERVE_OPTIONS).action(async () => {
    const { serveCommand } = await import('./commands/serve.js')
    commandExitCode = await serveCommand(flagsFrom(serve, SERVE_OPTIONS))
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
  if (argv.length === 0) {
    process.stderr.write(program().helpInformation())
    return ExitCode.noCommand
  }
  const cap = process.env.TEND_OUTPUT_CAP
  if (cap !== undefined && parseSize(cap) === undefined) {
    process.stderr.write(`tend: TEND_OUTPUT_CAP=${JSON.stringify(cap)} is not a size; expected 10M, 512k, 1G or a number of bytes\n`)
    return ExitCode.invalidInput
  }
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

/**
 * Exits once stdout and stderr have taken everything written (a pipe reader must see the last
 * line). Writes to a pipe are asynchronous: 20,000 diagnostics on stderr were cut after 64 kB.
 */
function exitAfterFlush(code: number): void {
  const flushed = (stream: NodeJS.WriteStream): Promise<void> =>
    isClosed(stream) ? Promise.resolve() : new Promise((resolve) => stream.write('', () => resolve()))
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code))
}

dropOutputToClosedReaders()

main(process.argv.slice(2)).then(exitAfterFlush, (error: unknown) => {
  reportError(error)
  exitAfterFlush(ExitCode.internal)
})
