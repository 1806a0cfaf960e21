/**
 * The fault campaign's shared pieces: the real CLI started against a test host (so a test can
 * signal it or break the host under it), staging of faults, and checks that read the host through
 * OpenSSH and /proc rather than through tend.
 */
import type { ChildProcess } from 'node:child_process'
import assert from 'node:assert/strict'
import type { EngineEvent } from '../../src/engine/events.js'
import { APP_PORT, UNIT_NAME } from '../../src/testbed/index.js'
import { shQuote } from '../../src/transport/quote.js'
import { cleanEnv, finished, start, type Finished } from '../cli/support.js'
import { PLAYBOOK, REPO, STABLE_SECONDS } from '../e2e/support.js'
import { testbed, type TestHost } from '../support/testbed.js'
import { eventLine, eventsIn } from '../support/events.js'

export type TaskEnd = Extract<EngineEvent, { type: 'task-end' }>

export interface Started {
  readonly child: ChildProcess
  readonly done: Promise<Finished>
}

/** `tend run PLAYBOOK` (default: api-recover) on one host with --json, started, not awaited. */
export function startRun(host: TestHost, args: readonly string[] = [], playbook = PLAYBOOK, cwd = REPO): Started {
  const argv = ['run', playbook, '-i', testbed().inventoryFile, '--limit', host.name,
    '-e', `stable_seconds=${STABLE_SECONDS}`, '--json', ...args]
  const child = start(argv, cwd, cleanEnv())
  return { child, done: finished(child) }
}

export function eventsOf(stdout: string): EngineEvent[] {
  return eventsIn(stdout)
}

export function taskEndsOf(stdout: string): TaskEnd[] {
  return eventsOf(stdout).filter((e): e is TaskEnd => e.type === 'task-end')
}

/** What every fault must end with: the stream closed by recap + run-end with that exit code, no stack trace. */
export function assertCleanEnd(run: Finished, exitCode: number): EngineEvent[] {
  assert.equal(run.code, exitCode, `exit code\n${run.stdout}\n${run.stderr}`)
  const events = eventsOf(run.stdout)
  assert.deepEqual(events.slice(-2).map((e) => e.type), ['recap', 'run-end'])
  const end = events.at(-1)
  assert.ok(end?.type === 'run-end' && end.exitCode === exitCode)
  for (const text of [run.stderr, run.stdout]) {
    assert.doesNotMatch(text, /\n\s+at .+:\d+:\d+\)?\n|internal error/, 'no stack trace, no internal error')
  }
  return events
}

/** Polls a host script (through OpenSSH) until it exits 0. */
export async function waitOnHost(host: TestHost, script: string, what: string, attempts = 300): Promise<string> {
  for (let i = 0; i < attempts; i++) {
    const result = await host.sh(script)
    if (result.exitCode === 0) return result.stdout.trim()
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${what}: not reached on ${host.name}`)
}

/** Resolves once the child's stdout has an event matching `pick`. */
export function waitForEvent(child: ChildProcess, pick: (event: EngineEvent) => boolean): Promise<EngineEvent> {
  return new Promise((resolve, reject) => {
    let seen = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      for (const line of seen.split('\n').slice(0, -1)) {
        const event = eventLine(line)
        if (pick(event)) return resolve(event)
      }
    })
    child.on('close', () => reject(new Error(`tend ended before the awaited event:\n${seen}`)))
  })
}

export const ROGUE_TERM_FILE = '/run/tend-rogue-term'

/**
 * A rogue on the app port that, like uvicorn's graceful shutdown, takes 4 s to exit after SIGTERM
 * (it first marks ROGUE_TERM_FILE, so a test knows the eviction is under way).
 */
const SLOW_ROGUE = `import os, signal, socket, time
def term(*_):
    open(${JSON.stringify(ROGUE_TERM_FILE)}, 'w').close()
    time.sleep(4)
    os._exit(0)
signal.signal(signal.SIGTERM, term)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('0.0.0.0', ${APP_PORT}))
s.listen(16)
while True:
    time.sleep(3600)
`

/**
 * The unit `failed` at its start limit (default limit) while a slow rogue holds the port, started
 * by hand in the login session. Returns the rogue's pid.
 */
export async function stageSlowRogueFailedUnit(host: TestHost): Promise<number> {
  const out = await host.sh(`set -eu
rm -f ${ROGUE_TERM_FILE}
systemctl stop ${UNIT_NAME}
printf '%s' ${shQuote(SLOW_ROGUE)} > /run/tend-slow-rogue.py
cd / && setsid nohup /usr/bin/python3 /run/tend-slow-rogue.py >/dev/null 2>&1 </dev/null &
i=0; until ss -ltnpH 'sport = :${APP_PORT}' | grep -q pid=; do i=$((i+1)); [ $i -lt 100 ]; sleep 0.1; done
systemctl start ${UNIT_NAME}
ss -ltnpH 'sport = :${APP_PORT}' | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u`)
  assert.equal(out.exitCode, 0, out.stderr)
  await waitOnHost(host, `test "$(systemctl show -p ActiveState --value ${UNIT_NAME})" = failed`, 'unit failed at its start limit')
  return Number(out.stdout.trim())
}

export async function processAlive(host: TestHost, pid: number): Promise<boolean> {
  // A zombie holds nothing and is about to vanish: only a live state counts.
  const result = await host.sh(`s=$(cut -d' ' -f3 /proc/${pid}/stat 2>/dev/null) && [ "$s" != Z ]`)
  return result.exitCode === 0
}
