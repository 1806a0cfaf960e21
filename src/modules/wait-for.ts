/**
 * Ansible's wait_for, checked from the host itself: a TCP port open or closed (connected to from
 * the host's own network view, like the http gate), or a path present (optionally holding a
 * regex) or absent. A gate: polled until it holds or `timeout` seconds have passed.
 */
import { timeoutSignal } from '../transport/timeout-signal.js'
import type { FromSchema } from 'json-schema-to-ts'
import type { Change, Module, ModuleContext, ProbeAhead } from './types.js'

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', default: '127.0.0.1', description: 'Address to connect to, seen from the host (default 127.0.0.1).' },
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'TCP port to wait for.' },
    path: { type: 'string', description: 'A path on the host to wait for.' },
    state: { enum: ['started', 'stopped', 'present', 'absent'], default: 'started', description: 'port: started (open) or stopped (closed); path: present/started or absent.' },
    search_regex: { type: 'string', description: 'With path: the file must also contain a match of this regex (grep -E).' },
    timeout: { type: 'number', minimum: 0, default: 300, description: 'Seconds to wait before failing (default 300).' },
    delay: { type: 'number', minimum: 0, description: 'Seconds to wait before the first check.' },
    sleep: { type: 'number', minimum: 0, description: 'Accepted for Ansible compatibility (tend polls every 0.5 s).' },
    connect_timeout: { type: 'number', minimum: 0, description: 'Seconds one connection attempt may take (default 5).' },
    msg: { type: 'string', description: 'The failure message instead of the default.' },
  },
} as const

export type WaitForSpec = FromSchema<typeof schema, { keepDefaultedPropertiesOptional: true }>

/**
 * What was seen. `waitMs`: nothing was looked at yet, the engine is to wait this long first (the
 * `delay`, or Ansible's plain sleep of `timeout` seconds when neither port nor path is given).
 */
interface Seen {
  readonly holds: boolean
  readonly what: string
  readonly waitMs?: number
  /** The plain sleep was asked for: the next look is the end of it. */
  readonly slept?: true
}

/** connect_timeout bounds one attempt; the task's signal is added by the context. */
async function portOpen(ctx: ModuleContext, host: string, port: number, seconds: number): Promise<boolean> {
  const timeout = timeoutSignal(seconds * 1000)
  try {
    const stream = await ctx.openTcp(host, port, timeout.signal)
    stream.destroy()
    return true
  } catch {
    if (ctx.signal.aborted) throw new Error('interrupted')
    return false
  } finally {
    timeout.clear()
  }
}

/**
 * The delay comes once per attempt, before the first look: the first probe (no `previous`) asks
 * the engine to wait, every later one (after that wait, or a poll) looks.
 */
async function probe(ctx: ModuleContext, spec: WaitForSpec, previous?: Seen): Promise<Seen> {
  if (spec.delay !== undefined && previous === undefined) {
    return { holds: false, what: `not checked yet: waiting ${spec.delay}s first (delay)`, waitMs: spec.delay * 1000 }
  }
  const state = spec.state ?? 'started'
  if (spec.port !== undefined) {
    const host = spec.host ?? '127.0.0.1'
    const open = await portOpen(ctx, host, spec.port, spec.connect_timeout ?? 5)
    return { holds: state === 'stopped' ? !open : open, what: `${host}:${spec.port} is ${state === 'stopped' ? 'still open' : 'not open'}` }
  }
  if (spec.path !== undefined) {
    const there = (await ctx.run(pathArgv(spec, spec.path))).exitCode === 0
    const what = state === 'absent' ? `${spec.path} still exists` : spec.search_regex !== undefined ? `${spec.path} has no match of /${spec.search_regex}/` : `${spec.path} does not exist`
    return { holds: state === 'absent' ? !there : there, what }
  }
  // Neither: Ansible's wait_for just sleeps `timeout` seconds (once per attempt, like delay).
  if (previous?.slept === true) return { holds: true, what: '' }
  return { holds: true, what: '', waitMs: (spec.timeout ?? 300) * 1000, slept: true }
}

function pathArgv(spec: WaitForSpec, path: string): readonly string[] {
  const state = spec.state ?? 'started'
  return spec.search_regex !== undefined && state !== 'absent' ? ['grep', '-qE', '--', spec.search_regex, path] : ['test', '-e', path]
}

/** A first look without the delay: a path by its command, a port by connecting (beside the batch). */
function probeAhead(_ctx: ModuleContext, spec: WaitForSpec): ProbeAhead | undefined {
  if (spec.delay !== undefined) return undefined
  if (spec.path !== undefined) return { commands: [pathArgv(spec, spec.path)] }
  return spec.port !== undefined ? { whole: true } : undefined
}

export const waitFor: Module<WaitForSpec, Seen, Change> = {
  kind: 'wait_for',
  schema,
  description: 'Waits, on the host, for a TCP port to open or close, or a path to appear or go; fails after `timeout` seconds.',
  probe,
  again: (_spec, seen) => seen.waitMs,
  probeAhead,
  diff: (spec, seen) => (seen.holds ? [] : [{ action: 'wait', summary: spec.msg ?? seen.what }]),
  pollSeconds: (spec) => (spec.timeout ?? 300) + (spec.delay ?? 0),
}
