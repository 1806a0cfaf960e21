/**
 * `-e KEY=VALUE`, `-e @FILE` (YAML or JSON mapping) and `-e '{"k": 1}'`, merged left to right
 * (a later -e wins). KEY=VALUE values stay strings, as in Ansible.
 */
import { parseDocument } from 'yaml'
import { withoutBom } from '../playbook/yaml-source.js'
import { ConfigError, type Diagnostic } from '../errors.js'
import type { Vars } from '../playbook/model.js'
import { maskedExtraVar, type RecordedExtraVars } from '../rollout/plan.js'
import { readInput } from '../playbook/input-file.js'

const COMMAND_LINE = '<command line>'
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function problem(file: string, message: string, hint?: string, line = 0, column = 0): Diagnostic {
  return { file, line, column, message, hint }
}

/** A YAML/JSON mapping from text; every parse error becomes a diagnostic at its position. */
function parseMapping(text: string, file: string): { vars?: Vars; problems: Diagnostic[] } {
  const doc = parseDocument(text)
  const lines = text.split('\n')
  const problems = doc.errors.map((e) => {
    const [line, column] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0]
    return { ...problem(file, e.message.split('\n')[0] ?? e.message, undefined, line, column), sourceLine: lines[line - 1] }
  })
  if (problems.length > 0) return { problems }
  const value: unknown = doc.toJS()
  if (value === null || value === undefined) return { vars: {}, problems: [] }
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { problems: [problem(file, 'extra variables must be a mapping of names to values', 'e.g. `port: 8000`', 1, 1)] }
  }
  return { vars: value as Vars, problems: [] }
}

async function fromFile(path: string): Promise<{ vars?: Vars; problems: Diagnostic[] }> {
  let text: string
  try {
    text = await readInput(path)
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error)
    return { problems: [problem(path, `cannot read extra variables file (${reason})`, 'the path after -e @ is relative to the current directory')] }
  }
  return parseMapping(withoutBom(text), path)
}

function fromPair(arg: string): { vars?: Vars; problems: Diagnostic[] } {
  const equals = arg.indexOf('=')
  const key = equals > 0 ? arg.slice(0, equals) : ''
  if (!VARIABLE_NAME.test(key)) {
    const hint = 'use -e KEY=VALUE, -e @FILE (YAML/JSON) or -e \'{"key": "value"}\''
    return { problems: [problem(COMMAND_LINE, `-e ${JSON.stringify(arg)}: not a KEY=VALUE pair with a valid variable name`, hint)] }
  }
  return { vars: { [key]: arg.slice(equals + 1) }, problems: [] }
}

function parseOne(arg: string): Promise<{ vars?: Vars; problems: Diagnostic[] }> | { vars?: Vars; problems: Diagnostic[] } {
  if (arg.startsWith('@')) return fromFile(arg.slice(1))
  if (arg.trimStart().startsWith('{')) return parseMapping(arg, COMMAND_LINE)
  return fromPair(arg)
}

/** All -e arguments merged; throws ConfigError listing every bad one. */
export async function parseExtraVars(args: readonly string[]): Promise<Vars> {
  const parsed = await Promise.all(args.map(parseOne))
  const problems = parsed.flatMap((p) => p.problems)
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.assign({}, ...parsed.map((p) => p.vars ?? {})) as Vars
}

/** Keyed digest of a variable's value (the state store's: StateStore.digest). */
export type Digest = (name: string, value: unknown) => string

/** -e as a frozen plan keeps it: the arguments without values, a digest per variable. */
export function recordExtraVars(args: readonly string[], vars: Vars, digest: Digest): RecordedExtraVars {
  return { shown: args.map(maskedExtraVar), digests: Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, digest(name, value)])) }
}

/**
 * What differs between the -e a run was started with and those `tend resume` was given: each
 * variable missing, different or new, by name (never a value). Empty when they are the same.
 */
export function extraVarsChanges(runId: string, recorded: RecordedExtraVars, vars: Vars, digest: Digest): Diagnostic[] {
  const again = `give \`tend resume ${runId}\` the run's -e again (${recorded.shown.length > 0 ? recorded.shown.map((a) => `-e ${a}`).join(' ') : 'none'}), or --replan to go on with these`
  const problems: Diagnostic[] = []
  for (const [name, wanted] of Object.entries(recorded.digests)) {
    if (!(name in vars)) problems.push(problem(COMMAND_LINE, `-e ${name} is missing: run ${runId} was started with it`, again))
    else if (digest(name, vars[name]) !== wanted) problems.push(problem(COMMAND_LINE, `-e ${name} differs from the value run ${runId} was started with`, again))
  }
  for (const name of Object.keys(vars)) {
    if (!(name in recorded.digests)) problems.push(problem(COMMAND_LINE, `-e ${name} was not given when run ${runId} started`, again))
  }
  return problems
}
