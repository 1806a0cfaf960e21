/** The rollout planner decides from outcomes alone: no hosts, no clock. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { budgetOf, decide, recheckBefore } from '../../src/rollout/policy.js'

const policy = (errorBudget?: number | `${number}%`, pauseSeconds = 0, recheck = false) =>
  ({ ...(errorBudget !== undefined && { errorBudget }), pauseSeconds, recheck })

test('a percentage budget is floored against the play hosts; no budget is unlimited', () => {
  assert.equal(budgetOf(policy('10%'), 25), 2)
  assert.equal(budgetOf(policy('50%'), 1), 0)
  assert.equal(budgetOf(policy(3), 25), 3)
  assert.equal(budgetOf(policy(), 25), undefined)
  assert.equal(budgetOf(undefined, 25), undefined)
})

test('the budget counts the whole rollout: one host more than allowed halts before the next batch', () => {
  const base = { batches: 5, broken: [] }
  assert.deepEqual(decide(policy(1, 30), 10, { ...base, batch: 1, down: ['a'] }), { action: 'go', pauseSeconds: 30 })
  const halt = decide(policy(1, 30), 10, { ...base, batch: 2, down: ['a', 'b'] })
  assert.equal(halt.action, 'halt')
  assert.match(halt.action === 'halt' ? halt.reason : '', /error budget exceeded: 2 hosts down \(a, b\), 1 allowed/)
})

test('budget 0: the first host down halts', () => {
  assert.equal(decide(policy(0), 5, { batch: 2, batches: 5, down: ['b'], broken: [] }).action, 'halt')
  assert.deepEqual(decide(policy(0), 5, { batch: 2, batches: 5, down: [], broken: [] }), { action: 'go', pauseSeconds: 0 })
})

test('without a budget only Ansible\'s own stop halts', () => {
  assert.equal(decide(policy(), 5, { batch: 1, batches: 5, down: ['a', 'b', 'c'], broken: [] }).action, 'go')
  const stopped = decide(policy(), 5, { batch: 1, batches: 5, down: ['a'], broken: [], playStopped: 'max_fail_percentage 0% exceeded' })
  assert.deepEqual(stopped, { action: 'halt', reason: 'max_fail_percentage 0% exceeded' })
})

test('a host that broke since it converged halts even within the budget, and counts against it', () => {
  const d = decide(policy(5, 0, true), 10, { batch: 2, batches: 5, down: [], broken: ['a'] })
  assert.equal(d.action, 'halt')
  assert.match(d.action === 'halt' ? d.reason : '', /recheck: a broke since converged \(error budget 1 of 5 used\)/)
})

test('after the last batch the rollout is done, whatever the budget says', () => {
  assert.deepEqual(decide(policy(0), 5, { batch: 5, batches: 5, down: ['e'], broken: [] }), { action: 'done' })
})

test('a recheck runs only between batches and only with recheck on', () => {
  assert.equal(recheckBefore(policy(0, 0, true), 1), false)
  assert.equal(recheckBefore(policy(0, 0, true), 2), true)
  assert.equal(recheckBefore(policy(0, 0, false), 2), false)
})
