import { dirname, join } from 'node:path'

/** `npm run bench -- [options]`; every default keeps the whole run near 10 minutes on 2 cores. */
export interface BenchOptions {
  /** 1 host, 1 iteration, tend and floor only: proves the harness works (test/bench-smoke.test.ts). */
  readonly smoke: boolean
  /** Measured runs per peer on 1 host (alternating tend, ansible, floor). */
  readonly iterations: number
  /** Measured runs per peer on 10 hosts (ansible takes ~30 s a run there; 3 keeps the bench near 10 min). */
  readonly fleetIterations: number
  /** Measured runs per peer and fork count for the scale scenarios. */
  readonly scaleIterations: number
  /** Forks for the 1- and 10-host scenarios (the same for every peer). */
  readonly forks: number
  /** Skip the 200/1,000-entry scenarios. */
  readonly scale: boolean
  /** Fork counts for tend at 1,000 entries. */
  readonly scaleForks: readonly number[]
  /** Run ansible at 200 entries too (slow: minutes). */
  readonly ansibleAtScale: boolean
  /** Only these scenarios (comma-separated names: no-change-1, no-change-10, recovery-10, rollout-10, scale, watch, queue, render). */
  readonly only?: ReadonlySet<string>
  /** Run tend through bin/tend.js from the TypeScript sources (tsx) instead of compiling dist/ first. */
  readonly tendFromSource: boolean
  /** Profile tend instead of comparing peers: CPU profile + phase timeline (bench/profile/mode.ts). */
  readonly profile: boolean
  /** Where the JSON goes (with `--only render` alone: bench/results/render.json unless given). */
  readonly out: string
}

const USAGE = `usage: npm run bench -- [--smoke] [--iterations N] [--scale-iterations N] [--forks N]
       [--no-scale] [--scale-forks 10,50,200] [--ansible-at-scale] [--tend-from-source] [--profile]
       [--only no-change-1,no-change-10,recovery-10,rollout-10,scale,watch,queue,render] [--out FILE]`

/** Only the render scenario (no hosts boot). */
export const renderOnly = (options: Pick<BenchOptions, 'only'>): boolean =>
  options.only !== undefined && [...options.only].every((k) => k === 'render')

/** The render scenario runs, before any host boots: always, except in the smoke, the profile or an --only without it. */
export const wantsRender = (options: BenchOptions): boolean =>
  !options.smoke && !options.profile && (options.only === undefined || options.only.has('render'))

export function parseArgs(argv: readonly string[], defaultOut: string): BenchOptions {
  const opts = {
    smoke: false, iterations: 5, fleetIterations: 3, scaleIterations: 1, forks: 10, scale: true,
    scaleForks: [10, 50, 200] as readonly number[], ansibleAtScale: false,
    only: undefined as ReadonlySet<string> | undefined, out: defaultOut, tendFromSource: false, profile: false,
  }
  const value = (i: number): string => {
    const v = argv[i + 1]
    if (v === undefined) throw new Error(`${argv[i]} needs a value\n${USAGE}`)
    return v
  }
  const count = (i: number): number => {
    const n = Number(value(i))
    if (!Number.isInteger(n) || n < 1) throw new Error(`${argv[i]}: a positive integer, not ${value(i)}\n${USAGE}`)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--smoke') opts.smoke = true
    else if (arg === '--no-scale') opts.scale = false
    else if (arg === '--ansible-at-scale') opts.ansibleAtScale = true
    else if (arg === '--tend-from-source') opts.tendFromSource = true
    else if (arg === '--profile') opts.profile = true
    else if (arg === '--iterations') opts.iterations = opts.fleetIterations = count(i++)
    else if (arg === '--scale-iterations') opts.scaleIterations = count(i++)
    else if (arg === '--forks') opts.forks = count(i++)
    else if (arg === '--scale-forks') opts.scaleForks = value(i++).split(',').map(Number)
    else if (arg === '--only') opts.only = new Set(value(i++).split(','))
    else if (arg === '--out') opts.out = value(i++)
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE)
    else throw new Error(`unknown option ${arg}\n${USAGE}`)
  }
  if (opts.scaleForks.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--scale-forks: positive integers\n${USAGE}`)
  if (opts.smoke) return { ...opts, iterations: 1, scale: false }
  // The render scenario alone needs no hosts; its numbers must not replace the full run's latest.json.
  if (renderOnly(opts) && !argv.includes('--out')) return { ...opts, out: join(dirname(defaultOut), 'render.json') }
  return opts
}
