/**
 * The whole escape corpus through every place an author's text enters tend, one real `tend run`
 * per place on the local transport: each payload is refused at validation (file:line:column),
 * refused when its task runs (the error ignored), or rendered as harmless text. Never does one
 * run code in tend, read the controller's secret or crash tend.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertCleanEnd, assertNoFindings, payloadOf, runBatch, taskEnds, type Outcome } from './batch.js'
import { AUTHORED } from './entry-points.js'
import { markedPayloads, readsControllerFiles, trap } from './payloads.js'

/** A run's task-ends for the payloads' own tasks (not the include, the handlers or the canary). */
const payloadEnds = (o: Outcome) => taskEnds(o).filter((e) => !e.handler && !['canary', 'integrity'].includes(e.task) && !e.task.startsWith('include_tasks:'))

for (const entry of AUTHORED) {
  test(`${entry.name}: every payload refused or harmless`, async (t) => {
    const at = trap()
    const corpus = markedPayloads(at)
    const args = ['-i', 'inventory', ...(entry.check ? ['--check'] : [])]
    const mayRead = (item: string) => (item === 'env' ? corpus.some((p) => p.includes("lookup('env'")) : readsControllerFiles(corpus[Number(payloadOf(item))]))
    const outcome = await runBatch({ trap: at, items: corpus.map((_, i) => String(i)), build: entry.build(corpus, at), args, mayRead })
    t.diagnostic(`${corpus.length} payloads: ${outcome.refused.size} refused at validation, ${outcome.ran.length} run, ${outcome.findings.length} findings`)
    await t.test('no payload runs code, reads the secret or crashes tend', () => assertNoFindings(outcome, corpus))
    await t.test('a payload refused at validation is named by file:line:column', () => {
      for (const [item, message] of outcome.refused) assert.match(message, /^[^\n]+:\d+:\d+: /, `payload ${item} refused without file:line:column`)
    })
    await t.test('every other payload ran: its task did its work or was refused cleanly', () => {
      const ends = payloadEnds(outcome)
      assert.equal(ends.length, outcome.ran.length * entry.perItem, `exit ${outcome.code}; the last task: ${JSON.stringify(ends.at(-1))?.slice(0, 2000)}`)
      ends.forEach((end, n) => {
        const item = outcome.ran[Math.floor(n / entry.perItem)]!
        assertCleanEnd(end, `payload ${item} ${JSON.stringify(corpus[Number(payloadOf(item))]?.slice(0, 200))}`)
      })
    })
    await t.test('the play ends on the local connection, its inventory data unchanged', () => {
      assert.equal(taskEnds(outcome).find((e) => e.task === 'canary')?.status, 'changed')
      const integrity = taskEnds(outcome).find((e) => e.task === 'integrity')?.message ?? ''
      assert.ok(!integrity.includes('MUTATED') && integrity.endsWith('intact'), `a payload changed the inventory's data: ${integrity}`)
    })
  })
}
