/** The live view's state: a play that stopped early resolves every batch it never ran. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { batchSlot, endPlay, newPlay, type LiveState } from '../../src/cli/render/live-state.js'

test('a batch slot asked for after the play ended is "not run" (the view does not wait forever)', async () => {
  const state: LiveState = { play: newPlay('roll', ['a', 'b', 'c', 'd']) }
  const third = batchSlot(state.play!, 3)
  endPlay(state, 'error budget exceeded')
  assert.equal(await third.promise, null)
  assert.equal(await batchSlot(state.play!, 4).promise, null)
})
