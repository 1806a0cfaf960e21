/** The rollout loop on the local transport: budget, halt, pause, resume from a cursor, --check. */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import type { EngineEvent } from '../../src/engine/events.js'
import { ExitCode } from '../../src/exit-codes.js'
import { run, scene, taskEnds } from './harness.js'

const four = ['h1', 'h2', 'h3', 'h4']
type Of<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>
const of = <T extends EngineEvent['type']>(events: readonly EngineEvent[], type: T): Of<T>[] =>
  events.filter((e): e is Of<T> => e.type === type)

/** Each host touches `dir/touched`; the hosts named in `broken` fail. */
const rollout = (keys: string, broken: readonly string[]) => `
- name: roll
  hosts: all
  serial: 1
  rollout: { ${keys} }
  tasks:
    - name: converge
      shell: |
        touch {{ dir }}/touched
        case " ${broken.join(' ')} " in *" {{ inventory_hostname }} "*) exit 1;; esac
`

test('error_budget 0: the first host down halts before the next batch; later hosts are untouched; exit 6', async () => {
  const at = await scene(four)
  const ran = await run(at, rollout('error_budget: 0', ['h2']))
  assert.equal(ran.summary.exitCode, ExitCode.rolloutHalted)
  assert.deepEqual(of(ran.events, 'batch-start').map((e) => e.hosts), [['h1'], ['h2']])
  assert.equal(existsSync(join(at.dirOf('h3'), 'touched')), false)
  assert.equal(existsSync(join(at.dirOf('h4'), 'touched')), false)
  const [halt] = of(ran.events, 'rollout-halt')
  assert.equal(halt?.batch, 2)
  assert.deepEqual(halt?.left, ['h2', 'h3', 'h4'])
  assert.deepEqual(halt?.budget, { allowed: 0, used: 1 })
  assert.match(halt?.reason ?? '', /error budget exceeded: 1 host down \(h2\), 0 allowed/)
  const end = of(ran.events, 'run-end')[0]
  assert.equal(end?.halted?.batch, 2)
})

test('the budget spans batches: "50%" of four hosts lets two fail, the third halts', async () => {
  const at = await scene(four)
  const ran = await run(at, rollout('error_budget: "50%"', ['h1', 'h2', 'h3']))
  assert.equal(ran.summary.exitCode, ExitCode.rolloutHalted)
  assert.deepEqual(of(ran.events, 'batch-start').map((e) => e.budget), [{ allowed: 2, used: 0 }, { allowed: 2, used: 1 }, { allowed: 2, used: 2 }])
  assert.equal(existsSync(join(at.dirOf('h4'), 'touched')), false)
})

test('pause: an event before each next batch, none after the last', async () => {
  const at = await scene(['h1', 'h2', 'h3'])
  const ran = await run(at, rollout('pause: 0.2', []))
  assert.equal(ran.summary.exitCode, ExitCode.ok)
  assert.deepEqual(of(ran.events, 'rollout-pause').map((e) => [e.seconds, e.before]), [[0.2, 2], [0.2, 3]])
  const plan = of(ran.events, 'rollout-plan')[0]
  assert.deepEqual(plan?.batches, [['h1'], ['h2'], ['h3']])
  assert.equal(plan?.pauseSeconds, 0.2)
})

test('a resume converges only what is left: converged hosts get no task, later batches follow', async () => {
  const at = await scene(four)
  const converged = (play: number, host: string) => play === 0 && (host === 'h1' || host === 'h2')
  const ran = await run(at, rollout('error_budget: 0', []), { resume: { converged } })
  assert.equal(ran.summary.exitCode, ExitCode.ok)
  assert.deepEqual([...new Set(taskEnds(ran).map((e) => e.host))], ['h3', 'h4'])
  assert.deepEqual(of(ran.events, 'batch-start').map((e) => e.converged ?? []), [['h1'], ['h2'], [], []])
  assert.equal(of(ran.events, 'run-start')[0]?.resumed, true)
  assert.deepEqual(of(ran.events, 'host-end').map((e) => `${e.host}:${e.state}:${e.batch}`), ['h3:ok:3', 'h4:ok:4'])
})

test('--check never halts a rollout: it plans every batch', async () => {
  const at = await scene(four)
  const ran = await run(at, rollout('error_budget: 0, pause: 5', ['h1', 'h2']), { check: true })
  assert.equal(of(ran.events, 'batch-start').length, 4)
  assert.equal(of(ran.events, 'rollout-halt').length, 0)
  assert.equal(of(ran.events, 'rollout-pause').length, 0)
})
