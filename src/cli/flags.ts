/** Parsed command-line flags, shared by main.ts and the commands. */

/** What `tend run` and `tend watch` both take: selection, variables, pace, output. */
interface ConvergeFlags {
  readonly inventory?: string
  readonly limit?: string
  readonly forks: number
  readonly tags?: readonly string[]
  readonly skipTags?: readonly string[]
  readonly extraVars?: readonly string[]
  readonly json?: boolean
  readonly stepTimeout: number
  readonly acceptNewHostKeys?: boolean
  readonly stateDir?: string
}

/** Flags of `tend run`, as commander parses them: an absent switch or list is undefined. */
export interface RunFlags extends ConvergeFlags {
  readonly check?: boolean
  readonly diff?: boolean
  readonly waitLock?: number
  /** --queue URL: converge on workers through Redis. */
  readonly queue?: string
  readonly maxHostsInFlight?: number
  readonly rate?: number
  readonly listHosts?: boolean
  readonly listTasks?: boolean
  readonly listTags?: boolean
  readonly startAtTask?: string
  readonly syntaxCheck?: boolean
  /** -v count: 0 to 3 (more is 3). */
  readonly verbose?: number
  readonly user?: string
  readonly privateKey?: string
  readonly become?: boolean
  readonly becomeUser?: string
}

/** Flags of `tend resume`. */
export interface ResumeFlags {
  readonly stateDir?: string
  readonly replan?: boolean
  readonly json?: boolean
  readonly waitLock?: number
  /** --queue URL: the hosts left converge on workers (a URL is never stored: it may hold a password). */
  readonly queue?: string
  readonly maxHostsInFlight?: number
  readonly rate?: number
}

/** Flags of `tend runs`. */
export interface RunsFlags {
  readonly stateDir?: string
  readonly json?: boolean
  readonly limit?: number
}

export interface ValidateFlags {
  readonly inventory?: string
  readonly extraVars?: readonly string[]
}

export interface InventoryFlags {
  readonly inventory?: string
  readonly list?: boolean
  readonly graph?: boolean
  readonly limit?: string
}

export const DEFAULT_INVENTORY = 'inventory/local.yaml'

/** Flags of `tend worker`. */
export interface WorkerFlags {
  readonly queue: string
  readonly concurrency: number
  readonly name?: string
  readonly stallSeconds: number
  readonly metrics?: string
  readonly acceptNewHostKeys?: boolean
}

/** Flags of `tend watch`; durations already parsed to ms. */
export interface WatchFlags extends ConvergeFlags {
  readonly every: number
  readonly splay?: number
  readonly rate?: number
  readonly keep?: number
  readonly grace?: number
  readonly metrics?: { readonly host: string; readonly port: number }
  /** --queue URL: cycles run on tend workers, the schedule in Redis. */
  readonly queue?: string
}

export interface HistoryFlags {
  readonly host?: string
  readonly since?: number
  readonly status?: string
  readonly json?: boolean
  readonly stateDir?: string
}
