/**
 * A task is named in metrics by its index and module, never by its (free-text, templated) name:
 * the index is where it stands in its play, blocks and imports included, and a dynamic include's
 * tasks extend the include's number. The same playbook gives the same labels every run.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConvergenceFold } from '../../src/history/fold.js'
import { WatchMetrics } from '../../src/history/metrics.js'
import { run, scene, taskEnds } from '../engine/harness.js'

const PLAYBOOK = `
- hosts: all
  tasks:
    - name: "stamp {{ inventory_hostname }} at {{ dir }}"
      file: { path: "{{ dir }}/STAMP", content: "x\\n" }
    - name: a block
      block:
        - name: "inner {{ 1 + 1 }}"
          file: { path: "{{ dir }}/INNER", content: "y\\n" }
    - import_tasks: static.yaml
    - include_tasks: "{{ 'dynamic' }}.yaml"
- hosts: all
  tasks:
    - name: second play
      file: { path: "{{ dir }}/SECOND", content: "z\\n" }
`

test('tasks are indexed by play and position; a dynamic include extends its own index; the metric labels are index and module', async () => {
  const at = await scene(['h1'])
  await writeFile(join(at.root, 'static.yaml'), '- name: from import\n  file: { path: "{{ dir }}/IMPORTED", content: "i\\n" }\n')
  await writeFile(join(at.root, 'dynamic.yaml'), '- name: "dynamic {{ inventory_hostname }}"\n  file: { path: "{{ dir }}/DYNAMIC", content: "d\\n" }\n')
  const first = await run(at, PLAYBOOK)
  const labelled = (r: typeof first) => taskEnds(r, 'h1').map((e) => `${e.index} ${e.module}`)
  assert.deepEqual(labelled(first), ['1.1 file', '1.3 file', '1.5 file', '1.6 include_tasks', '1.6.1 file', '2.1 file'])
  // Run again (nothing to change): the same labels, whatever the names rendered to.
  assert.deepEqual(labelled(await run(at, PLAYBOOK)), labelled(first))

  const fold = new ConvergenceFold()
  for (const end of taskEnds(first, 'h1')) fold.observe(end)
  const metrics = new WatchMetrics()
  metrics.observe({ host: 'h1', startedAt: Date.now(), durationMs: 10, ...fold.verdict({ state: 'ok' }) })
  const text = await metrics.registry.metrics()
  const series = text.split('\n').filter((l) => l.startsWith('tend_drift_corrected_total{'))
  assert.deepEqual(series.sort(), ['1.1', '1.3', '1.5', '1.6.1', '2.1'].map((i) => `tend_drift_corrected_total{host="h1",task="${i}",module="file"} 1`))
  assert.ok(!text.includes('stamp h1') && !text.includes('inner 2') && !text.includes('dynamic h1'), 'a rendered task name reached a label')
})
