/**
 * Each command's options, picked from the one table (src/cli/options.ts), and the flag type its
 * action receives, derived from the list: what main.ts hands commander is what the command reads.
 */
import { QUEUE_HELP, type FlagsOf, type OptionUse } from './options.js'

export { DEFAULT_INVENTORY } from './options.js'

const WITH_QUEUE = 'with --queue: host convergences started per second, across all workers'

/** What `tend run` and `tend watch` both take: selection, variables, pace, output. */
const CONVERGE = ['inventory', 'limit', 'forks', 'tags', 'skipTags', 'extraVars'] as const satisfies readonly OptionUse[]

export const RUN_OPTIONS = [
  'inventory', 'limit', 'check', 'diff', 'forks', 'tags', 'skipTags', 'extraVars', 'json', 'stepTimeout', 'acceptNewHostKeys', 'waitLock',
  { key: 'queue', help: `converge each host on a tend worker; ${QUEUE_HELP}` }, 'queueUrlFile',
  'maxHostsInFlight', { key: 'rate', help: WITH_QUEUE }, 'workerWait', 'stateDir',
  // ansible-playbook's flags, with its meaning.
  'listHosts', 'listTasks', 'listTags', 'startAtTask', 'syntaxCheck', 'verbose', 'user', 'privateKey', 'become', 'becomeUser', 'outputCap',
] as const satisfies readonly OptionUse[]
export type RunFlags = FlagsOf<typeof RUN_OPTIONS>

export const WORKER_OPTIONS = [
  'queue', 'queueUrlFile', 'concurrency', 'name', 'stallSeconds',
  { key: 'metrics', help: 'serve Prometheus metrics on http://HOST:PORT/metrics (and /healthz)' }, 'acceptNewHostKeys', 'outputCap',
] as const satisfies readonly OptionUse[]
export type WorkerFlags = FlagsOf<typeof WORKER_OPTIONS>

export const QUEUE_STATUS_OPTIONS = ['queue', 'queueUrlFile', { key: 'json', help: 'one JSON object' }] as const satisfies readonly OptionUse[]
export type QueueStatusFlags = FlagsOf<typeof QUEUE_STATUS_OPTIONS>

export const WATCH_OPTIONS = [
  'every', ...CONVERGE, 'splay', { key: 'rate', help: 'start at most N host convergences per second across the fleet' }, 'keep', 'grace', 'metrics', 'stateDir',
  { key: 'queue', help: `host-cycles run on tend workers, scheduled in Redis (several controllers may watch at once); ${QUEUE_HELP}` }, 'queueUrlFile',
  { key: 'json', help: 'write the event stream as NDJSON on stdout, each event with its host-cycle id' }, 'stepTimeout', 'acceptNewHostKeys', 'outputCap',
] as const satisfies readonly OptionUse[]
export type WatchFlags = FlagsOf<typeof WATCH_OPTIONS>

export const HISTORY_OPTIONS = ['host', 'since', 'status', { key: 'json', help: 'one host-cycle per line as JSON' }, 'stateDir'] as const satisfies readonly OptionUse[]
export type HistoryFlags = FlagsOf<typeof HISTORY_OPTIONS>

export const RESUME_OPTIONS = [
  'stateDir', 'replan', 'json', 'waitLock',
  { key: 'extraVars', help: 'the run\'s extra variables again (KEY=VALUE, @FILE, JSON; repeatable): the store keeps only digests, and a missing or different one is refused' }, { key: 'queue', help: `the hosts left converge on tend workers; ${QUEUE_HELP}` }, 'queueUrlFile',
  'maxHostsInFlight', { key: 'rate', help: WITH_QUEUE }, 'workerWait', 'outputCap',
] as const satisfies readonly OptionUse[]
export type ResumeFlags = FlagsOf<typeof RESUME_OPTIONS>

export const RUNS_OPTIONS = ['stateDir', { key: 'json', help: 'JSON instead of text' }, 'count'] as const satisfies readonly OptionUse[]
export type RunsFlags = FlagsOf<typeof RUNS_OPTIONS>

export const VALIDATE_OPTIONS = ['inventory', 'extraVars'] as const satisfies readonly OptionUse[]
export type ValidateFlags = FlagsOf<typeof VALIDATE_OPTIONS>

export const INVENTORY_OPTIONS = ['inventory', 'list', 'graph', { key: 'limit', help: 'only hosts matching an Ansible pattern, or @FILE' }] as const satisfies readonly OptionUse[]
export type InventoryFlags = FlagsOf<typeof INVENTORY_OPTIONS>

export const SERVE_OPTIONS = [
  'listen', { key: 'stateDir', help: 'state directory (default: TEND_STATE_DIR, else ~/.local/state/tend)' },
  { key: 'inventory', help: 'list this inventory\'s hosts (also those never seen) with their groups' },
] as const satisfies readonly OptionUse[]
export type ServeFlags = FlagsOf<typeof SERVE_OPTIONS>
