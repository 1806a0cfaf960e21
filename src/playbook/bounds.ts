/**
 * Values a task cannot carry out as written (issue 20), refused when the playbook is read where
 * they are literal, and at task time (after templating) otherwise:
 * - a NUL byte in an argument: C strings end at it, so a path `/etc/a\0b` reaches the host as
 *   `/etc/a` and the task changes another file than it names;
 * - a duration longer than a timer can wait (2^31-1 ms, about 24.8 days): setTimeout fires such a
 *   timer after 1 ms, so every task would time out at once.
 */
import type { Diagnostic } from '../errors.js'
import { timerProblem } from '../limits.js'
import { diagnosticAtRef, refOf, type Path, type YamlSource } from './yaml-source.js'

type Mapping = Record<string, unknown>
const isMapping = (value: unknown): value is Mapping => value !== null && typeof value === 'object' && !Array.isArray(value)

/** File contents (copy's `content`) may hold any byte: they travel on stdin, never as an argument. */
const CONTENT_KEYS: ReadonlySet<string> = new Set(['content'])

/** Module arguments that are seconds a timer waits (http, wait_for, port, stable…). */
const TIMER_ARGS: ReadonlySet<string> = new Set(['timeout', 'within', 'delay', 'sleep', 'connect_timeout', 'seconds', 'grace', 'pause'])

/** Task (and block) keys that are seconds: the deadline, the `until` delay. */
const TIMER_KEYS = ['timeout', 'delay'] as const

export interface Problem {
  /** Where in the value, from its root (`['dest']`, `['argv', 2]`). */
  readonly at: Path
  readonly message: string
  readonly hint: string
}

const NUL_HINT = 'A path or argument cannot hold a NUL byte (`\\0`, `\\x00`); remove it from the value or the variable it comes from.'
const TIMER_HINT = 'A timer waits at most 2147483.647 s (2^31-1 ms, about 24.8 days); a longer one would fire at once.'

function named(at: Path): string {
  return at.length === 0 ? 'the value' : `\`${at.join('.')}\``
}

/** NUL bytes in any string of `value` (keys included), except file contents. */
export function nulProblems(value: unknown, at: Path = []): Problem[] {
  if (typeof value === 'string') return value.includes('\0') ? [{ at, message: `${named(at)} holds a NUL byte`, hint: NUL_HINT }] : []
  if (Array.isArray(value)) return value.flatMap((item, i) => nulProblems(item, [...at, i]))
  if (!isMapping(value)) return []
  return Object.entries(value).flatMap(([key, item]) => [
    ...(key.includes('\0') ? [{ at: [...at, key], message: `the key ${JSON.stringify(key)} holds a NUL byte`, hint: NUL_HINT }] : []),
    ...(CONTENT_KEYS.has(key) && at.length === 0 ? [] : nulProblems(item, [...at, key])),
  ])
}

/** Module arguments (top level) that are seconds too long for a timer. */
export function timerArgProblems(args: unknown): Problem[] {
  if (!isMapping(args)) return []
  return Object.entries(args).flatMap(([key, value]) => timerValueProblems(key, value, [key], TIMER_ARGS))
}

function timerValueProblems(key: string, value: unknown, at: Path, keys: ReadonlySet<string>): Problem[] {
  if (!keys.has(key)) return []
  const seconds = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined
  const problem = seconds === undefined ? undefined : timerProblem(seconds)
  return problem === undefined ? [] : [{ at, message: `${named(at)}: ${seconds} s ${problem}`, hint: TIMER_HINT }]
}

/** A task's or block's own timer keys (`timeout`, `delay`, `loop_control.pause`). */
function taskTimerProblems(raw: Mapping): Problem[] {
  const own = TIMER_KEYS.flatMap((key) => timerValueProblems(key, raw[key], [key], new Set(TIMER_KEYS)))
  const control = isMapping(raw.loop_control) ? timerValueProblems('pause', raw.loop_control.pause, ['loop_control', 'pause'], new Set(['pause'])) : []
  return [...own, ...control]
}

/** A play's `rollout.pause`. */
export function playBoundDiagnostics(source: YamlSource, raw: unknown, path: Path): Diagnostic[] {
  if (!isMapping(raw) || !isMapping(raw.rollout)) return []
  return asDiagnostics(source, path, timerValueProblems('pause', raw.rollout.pause, ['rollout', 'pause'], new Set(['pause'])))
}

/** A task's or block's timer keys that no timer can wait (`timeout: 3000000`). */
export function taskKeyBoundDiagnostics(source: YamlSource, raw: Mapping, path: Path): Diagnostic[] {
  return asDiagnostics(source, path, taskTimerProblems(raw))
}

/**
 * Module arguments as written (under `argsPath`) holding a NUL byte, or a timer too long. NUL
 * bytes matter only in what reaches a host (`toHost`): debug's message may hold any text.
 */
export function argBoundDiagnostics(source: YamlSource, argsPath: Path, args: unknown, toHost: boolean): Diagnostic[] {
  return asDiagnostics(source, argsPath, [...(toHost ? nulProblems(args) : []), ...timerArgProblems(args)])
}

function asDiagnostics(source: YamlSource, path: Path, problems: readonly Problem[]): Diagnostic[] {
  return problems.map((p) => diagnosticAtRef(source, refOf(source, [...path, ...p.at]), p.message, p.hint))
}
