/**
 * The events of `tend … --json` (and every other NDJSON output of tend): one JSON object a line.
 * Blank lines are skipped; a line that is not JSON throws, naming the line, so stray output on
 * stdout fails the test that reads it.
 */
import type { EngineEvent } from '../../src/engine/events.js'

/** Every event of `text`, in order. `T` is the shape the caller reads (default: the engine's events). */
export function eventsIn<T = EngineEvent>(text: string): T[] {
  return text.split('\n').filter((line) => line.trim() !== '').map((line) => eventLine<T>(line))
}

/** One line of NDJSON output (for outputs read as they arrive). */
export function eventLine<T = EngineEvent>(line: string): T {
  try {
    return JSON.parse(line) as T
  } catch (err) {
    throw new Error(`not a JSON line of tend's output: ${JSON.stringify(line)} (${err instanceof Error ? err.message : String(err)})`)
  }
}

/** The engine's events of one type, e.g. `eventsOf(run.stdout, 'task-end')`. */
export function eventsOf<K extends EngineEvent['type']>(text: string, type: K): Extract<EngineEvent, { type: K }>[] {
  return eventsIn(text).filter((e): e is Extract<EngineEvent, { type: K }> => e.type === type)
}
