/** A `tend watch` process for tests: started with --json, its events read live, ended by pid. Needs no test host. */
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { HostCycle } from '../../src/state/cycles.js'
import type { WatchEvent } from '../../src/watch/events.js'
import { cleanEnv, start, tend } from '../cli/support.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { eventLine, eventsIn } from '../support/events.js'

export interface Watch {
  readonly child: ChildProcess
  readonly stateDir: string
  /** Events so far, with the time the test read each line. */
  readonly events: (WatchEvent & { readonly seenAt: number })[]
  stderr(): string
  /** Resolves with the first event (seen so far or later) that matches. */
  waitFor(what: string, match: (e: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>
  /** The exit code once the process ended. */
  readonly exited: Promise<number | null>
  metricsUrl(): Promise<string>
}

export function startWatch(cwd: string, args: readonly string[], stateDir = mkdtempSync(join(tmpdir(), 'tend-watch-state-'))): Watch {
  const child = start(['watch', ...args, '--json', '--state-dir', stateDir], cwd, cleanEnv())
  const events: (WatchEvent & { seenAt: number })[] = []
  let stderr = ''
  let buffer = ''
  const listeners = new Set<() => void>()
  child.stdout?.on('data', (d: Buffer) => {
    buffer += d.toString()
    const lines = buffer.split('\n')
    buffer = lines.pop() ?? ''
    for (const line of lines) if (line.trim() !== '') events.push({ ...eventLine<WatchEvent>(line), seenAt: Date.now() })
    for (const l of listeners) l()
  })
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const waitFor = (what: string, match: (e: WatchEvent) => boolean, timeoutMs = 180_000) =>
    new Promise<WatchEvent>((resolve, reject) => {
      const check = () => {
        const found = events.find(match)
        if (!found) return
        listeners.delete(check)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => {
        listeners.delete(check)
        reject(new Error(`watch: no ${what} after ${timeoutMs} ms; stderr:\n${stderr}\nevents:\n${events.slice(-20).map((e) => JSON.stringify(e)).join('\n')}`))
      }, timeoutMs)
      listeners.add(check)
      check()
      void exited.then(() => setTimeout(check, 50))
    })
  return {
    child, stateDir, events, exited, waitFor,
    stderr: () => stderr,
    metricsUrl: async () => {
      const e = await waitFor('watch-start', (x) => x.type === 'watch-start')
      return e.type === 'watch-start' && e.metrics !== undefined ? e.metrics : assertNever('no metrics url')
    },
  }
}

function assertNever(message: string): never {
  throw new Error(message)
}

/** Ends the watch by its pid (SIGKILL) if a test left it running. */
export function killWatch(watch: Watch): void {
  if (watch.child.exitCode === null && watch.child.pid !== undefined) process.kill(watch.child.pid, 'SIGKILL')
}

/** `tend history --json` for the watch's state dir. */
export async function history(cwd: string, stateDir: string, ...args: string[]): Promise<HostCycle[]> {
  const run = await tend(['history', '--json', '--state-dir', stateDir, ...args], cwd)
  if (run.code !== 0) throw new Error(`tend history failed: ${run.stderr}`)
  return eventsIn<HostCycle>(run.stdout)
}

/** One sample of a metric from /metrics text (undefined when absent). */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const body = line.slice(name.length + 1, line.lastIndexOf('}'))
    const have = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1))
  }
  return undefined
}

export async function getText(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url)
  return { status: res.status, text: await res.text() }
}

/** Polls `check` (a generous bounded loop: a test never asserts how fast, only that it happens). */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 240_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`)
    await sleep(500)
  }
}
