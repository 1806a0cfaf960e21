import type { FromSchema } from 'json-schema-to-ts'
import type { Module, ModuleContext } from './types.js'
import { droppedLine } from '../transport/capped.js'
import type { ExecResult } from '../transport/types.js'

const commandSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['argv'],
  properties: {
    argv: {
      type: 'array',
      minItems: 1,
      items: { type: 'string' },
      description: 'The program and its arguments, run without a shell (`command: [systemctl, daemon-reload]`).',
    },
    creates: { type: 'string', description: 'A path; if it exists, the command is not run (idempotence).' },
    removes: { type: 'string', description: 'A path; if it does not exist, the command is not run.' },
    chdir: { type: 'string', description: 'Directory to run the command in.' },
    stdin: { type: 'string', description: 'Text fed to the command on standard input.' },
  },
} as const

const shellSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['cmd'],
  properties: {
    cmd: { type: 'string', description: 'A script run by /bin/sh -c (`shell: "ls | wc -l"`).' },
    executable: { type: 'string', minLength: 1, description: 'The shell that runs the script instead of /bin/sh (Ansible\'s `executable`, e.g. /bin/bash).' },
    creates: commandSchema.properties.creates,
    removes: commandSchema.properties.removes,
    chdir: commandSchema.properties.chdir,
    stdin: commandSchema.properties.stdin,
  },
} as const

export type CommandSpec = FromSchema<typeof commandSchema>
export type ShellSpec = FromSchema<typeof shellSchema>
type Guards = Pick<CommandSpec, 'creates' | 'removes' | 'chdir' | 'stdin'>

/** Whether the `creates`/`removes` guards say the command has already done its work. */
interface GuardState {
  readonly createsExists?: boolean
  readonly removesExists?: boolean
  /** Ansible's words for a guard that holds ("skipped, since /x exists"), for `register`. */
  readonly heldBy?: string
}

interface RunChange {
  readonly action: 'run'
  readonly argv: readonly string[]
  readonly summary: string
}

async function pathExists(ctx: ModuleContext, path: string | undefined): Promise<boolean | undefined> {
  if (path === undefined) return undefined
  return (await ctx.run(['test', '-e', path])).exitCode === 0
}

async function probeGuards(ctx: ModuleContext, spec: Guards): Promise<GuardState> {
  const createsExists = await pathExists(ctx, spec.creates)
  const removesExists = await pathExists(ctx, spec.removes)
  const heldBy = createsExists === true ? `skipped, since ${spec.creates} exists`
    : removesExists === false ? `skipped, since ${spec.removes} does not exist` : undefined
  return { createsExists, removesExists, ...(heldBy !== undefined && { heldBy }) }
}

function guardsSatisfied(state: GuardState): boolean {
  return state.heldBy !== undefined
}

/** Output as Ansible registers it: the text and its lines (no empty last line). */
function outputData(stdout: string, stderr: string) {
  const lines = (text: string) => text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1)
  return { stdout, stderr, stdout_lines: lines(stdout), stderr_lines: lines(stderr) }
}

/** chdir without a shell word of ours: the directory travels as a positional parameter. */
function inDirectory(argv: readonly string[], chdir: string | undefined): readonly string[] {
  return chdir === undefined ? argv : ['sh', '-c', 'cd "$1" || exit 1; shift; exec "$@"', 'sh', chdir, ...argv]
}

/**
 * Output past the transport's cap was dropped (issue 20): the result says so, per stream, with a
 * warning line (Ansible's `warnings`) giving the bytes dropped, so nobody reads a cut log as whole.
 */
function truncation(result: ExecResult): Record<string, unknown> {
  const cut = result.truncated
  if (cut === undefined) return {}
  return {
    ...(cut.stdoutDropped > 0 ? { stdout_truncated: true } : {}),
    ...(cut.stderrDropped > 0 ? { stderr_truncated: true } : {}),
    warnings: [
      ...(cut.stdoutDropped > 0 ? [droppedLine('stdout', cut.stdoutDropped, cut.cap)] : []),
      ...(cut.stderrDropped > 0 ? [droppedLine('stderr', cut.stderrDropped, cut.cap)] : []),
    ],
  }
}

async function runChange(ctx: ModuleContext, change: RunChange, spec: Guards) {
  const result = await ctx.run(inDirectory(change.argv, spec.chdir), { stdin: spec.stdin })
  const data = { rc: result.exitCode, ...outputData(result.stdout, result.stderr), cmd: change.argv, ...truncation(result) }
  const failed = result.exitCode === 0 ? undefined : `non-zero exit ${result.exitCode}: ${result.stderr.trim()}`
  return { data, failed }
}

function commandLike<Spec extends Guards>(
  kind: string,
  schema: object,
  description: string,
  argvOf: (spec: Spec) => readonly string[],
): Module<Spec, GuardState, RunChange> {
  return {
    kind,
    schema,
    description,
    probe: probeGuards,
    diff(spec, state) {
      if (guardsSatisfied(state)) return []
      const argv = argvOf(spec)
      return [{ action: 'run', argv, summary: `run ${argv.join(' ')}` }]
    },
    apply: runChange,
    // A command's post-condition is its exit code, already judged by apply.
    verify: async () => [],
    // Only running a command shows what it does, so --check skips it, as Ansible does; with
    // creates/removes the guards decide (planned when they say it would run).
    unpredictable: (spec) => spec.creates !== undefined || spec.removes !== undefined ? undefined : {
      message: 'skipped in check mode: only running a command shows what it does (check_mode: false runs it)',
      data: { rc: 0, ...outputData('', ''), cmd: argvOf(spec) },
    },
    facts: (state) => state.heldBy === undefined ? {} : { rc: 0, ...outputData(state.heldBy, '') },
  }
}

export const command = commandLike<CommandSpec>(
  'command',
  commandSchema,
  'Runs a program with arguments, without a shell. Changed whenever it runs; use creates/removes to make it idempotent. Skipped under --check unless creates/removes decide or check_mode: false.',
  (spec) => spec.argv,
)

export const shell = commandLike<ShellSpec>(
  'shell',
  shellSchema,
  'Runs a script with /bin/sh -c. Changed whenever it runs; use creates/removes to make it idempotent. Skipped under --check unless creates/removes decide or check_mode: false.',
  (spec) => [spec.executable ?? '/bin/sh', '-c', spec.cmd],
)
