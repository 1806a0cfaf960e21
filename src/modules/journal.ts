import type { FromSchema } from 'json-schema-to-ts'
import { ProbeError } from '../errors.js'
import { journalArgv, messageOf, readJournal, type Since } from './systemd/journal-read.js'
import { unitNotFound } from './systemd/unit-state.js'
import type { Module, ModuleContext } from './types.js'
import { compileLinear, type LinearRegex } from '../template/linear-regex.js'

const journalSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['unit', 'absent'],
  properties: {
    unit: { type: 'string', minLength: 1, description: 'The systemd unit whose journal is read.' },
    absent: {
      type: 'string',
      minLength: 1,
      description: 'A regular expression (JavaScript syntax) no journal message of the unit may match, e.g. "Errno 98|Address already in use".',
    },
    since: {
      type: 'string',
      pattern: '^(run-start|unit-start|[0-9]+(s|m|h|d))$',
      default: 'run-start',
      description: 'run-start (when this tend run began), unit-start (the current main process started), or a duration like 10m, 30s.',
    },
  },
} as const

export type JournalSpec = FromSchema<typeof journalSchema, { keepDefaultedPropertiesOptional: true }>

export interface JournalObservation {
  readonly unit: string
  readonly since: string
  readonly pattern: string
  /** Every line whose message matched, oldest first. */
  readonly matches: readonly string[]
}

const SHOWN_LINES = 10
const LINE_CHARS = 200

function sinceOf(ctx: ModuleContext, since: string): Since {
  if (since === 'run-start') return { kind: 'epoch', epochMs: ctx.runStartedAt.getTime() }
  if (since === 'unit-start') return { kind: 'unit-start' }
  return { kind: 'ago', span: since }
}

function compile(pattern: string): LinearRegex {
  try {
    return compileLinear(pattern)
  } catch (err) {
    throw new ProbeError(`absent: ${(err as Error).message}`)
  }
}

async function probe(ctx: ModuleContext, spec: JournalSpec): Promise<JournalObservation> {
  const since = spec.since ?? 'run-start'
  const regex = compile(spec.absent)
  const journal = await readJournal(ctx, spec.unit, sinceOf(ctx, since))
  if (journal.loadState === 'not-found') throw unitNotFound({ name: spec.unit, loadState: journal.loadState })
  const matches = journal.lines.filter((line) => regex.test(messageOf(line)))
  return { unit: spec.unit, since, pattern: spec.absent, matches }
}

const trimmed = (line: string): string => (line.length <= LINE_CHARS ? line : `${line.slice(0, LINE_CHARS - 1)}…`)

function diff(_spec: JournalSpec, observed: JournalObservation) {
  const { matches } = observed
  if (matches.length === 0) return []
  const shown = matches.slice(-SHOWN_LINES).map((line) => `  ${trimmed(line.trim())}`)
  const count = matches.length > SHOWN_LINES ? `${matches.length} lines (the last ${SHOWN_LINES} shown)` : `${matches.length} line${matches.length === 1 ? '' : 's'}`
  const head = `${count} of ${observed.unit}'s journal since ${observed.since} match /${observed.pattern}/:`
  return [{ action: 'matched', summary: [head, ...shown].join('\n') }]
}

export const journal: Module<JournalSpec, JournalObservation> = {
  kind: 'journal',
  schema: journalSchema,
  description: "A gate: no message in the unit's journal since run-start, unit-start or a duration matches `absent`.",
  probe,
  probeAhead: (ctx, spec) => ({ commands: [journalArgv(spec.unit, sinceOf(ctx, spec.since ?? 'run-start'))] }),
  diff,
  // A matching line stays in the journal: polling cannot make the gate pass, so judge once.
  pollSeconds: () => 0,
  facts: (observed) => ({ matches: observed.matches }),
}
