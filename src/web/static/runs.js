// Runs and rollouts: the list, and one run with batch k of n, its hosts per batch and their
// outcomes, the error budget used, why it halted, and the exact command that resumes it.
import { fill, getJson, h, viewLink } from './dom.js'
import { isoTime, relative } from './format.js'

export function runsView(main, ctx) {
  let timer
  async function load() {
    const data = await getJson('/api/runs')
    fill(main, h('h1', {}, 'Runs'),
      data.runs.length === 0 ? h('p', { class: 'muted' }, 'No run recorded in this state store yet.')
        : h('table', { class: 'runs' },
          h('thead', {}, h('tr', {}, ['Run', 'Playbook', 'Started', 'Status', 'Hosts'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, data.runs.map((r) => h('tr', { 'data-run': r.id },
            h('td', { 'data-label': 'Run' }, viewLink('run', r.id), ' ', h('span', { class: 'muted' }, r.kind)),
            h('td', { 'data-label': 'Playbook' }, r.playbook),
            h('td', { 'data-label': 'Started' }, h('time', { title: isoTime(r.startedAt) }, relative(r.startedAt, data.now))),
            h('td', { 'data-label': 'Status' }, statusLine(r)),
            h('td', { 'data-label': 'Hosts' }, countsText(r.counts)))))))
  }
  return { load, onRuns: () => debounce(), destroy: () => clearTimeout(timer) }
  function debounce() {
    clearTimeout(timer)
    timer = setTimeout(() => void load().catch(ctx.showError), 300)
  }
}

export function runView(main, ctx, id) {
  let timer
  async function load() {
    const { run: r, now, tasks = {} } = await getJson(`/api/run?id=${encodeURIComponent(id)}`)
    fill(main,
      h('p', { class: 'crumbs' }, h('a', { href: '#/runs' }, '← Runs')),
      h('h1', {}, `Run ${r.id}`),
      h('p', { class: 'run-status' }, statusLine(r)),
      h('dl', { class: 'facts' },
        fact('Playbook', r.playbook),
        fact('Kind', r.kind),
        fact('Started', `${isoTime(r.startedAt)} (${relative(r.startedAt, now)})`),
        r.finishedAt ? fact('Finished', `${isoTime(r.finishedAt)} (${relative(r.finishedAt, now)})`) : null,
        r.batches ? fact('Batch', r.batch ? `${r.batch} of ${r.batches}` : `0 of ${r.batches} (not started)`) : null,
        r.budget ? fact('Error budget', budgetText(r.budget)) : null,
        r.exitCode !== undefined ? fact('Exit code', String(r.exitCode)) : null,
        fact('Hosts', countsText(r.counts))),
      r.reason ? h('section', { class: 'reason', 'aria-labelledby': 'why-h' }, h('h2', { id: 'why-h' }, r.status === 'halted' ? 'Why it halted' : 'Reason'), h('p', {}, r.reason)) : null,
      r.resumeCommand ? h('section', { class: 'resume', 'aria-labelledby': 'resume-h' }, h('h2', { id: 'resume-h' }, 'Resume'),
        h('p', {}, 'Run this on the controller to continue where it stopped:'), h('pre', {}, h('code', { class: 'resume-command' }, r.resumeCommand))) : null,
      h('section', { 'aria-labelledby': 'batches-h' }, h('h2', { id: 'batches-h' }, 'Hosts by batch'),
        (r.hostsByBatch ?? []).length === 0 ? h('p', { class: 'muted' }, 'No host recorded for this run.')
          : r.hostsByBatch.map((b) => h('div', { class: 'batch', 'data-batch': b.batch, 'data-play': b.play },
            h('h3', {}, batchTitle(b, r), ' ', h('span', { class: 'muted' }, countsText(countBy(b.hosts)))),
            h('ul', { class: 'batch-hosts' }, b.hosts.map((x) => h('li', {},
              viewLink('host', x.host), ' ', h('span', { class: `state r-${x.status}` }, x.status),
              x.message ? h('span', { class: 'message' }, ` ${x.message}`) : null,
              hostTasks(tasks[x.host]))))))))
  }
  return {
    load,
    onRuns() {
      clearTimeout(timer)
      timer = setTimeout(() => void load().catch(ctx.showError), 300)
    },
    destroy: () => clearTimeout(timer),
  }
}

/** A host's tasks in the run, in order, each with its status (the results stay on the host page). */
function hostTasks(list) {
  if (!Array.isArray(list) || list.length === 0) return null
  return h('ol', { class: 'host-tasks' }, list.map((t) => h('li', { 'data-status': t.status },
    h('span', { class: `state r-${t.status}` }, t.status), ' ', h('span', { class: 'task' }, t.task),
    t.message ? h('span', { class: 'message' }, ` ${t.message.split('\n')[0]}`) : null)))
}

function batchTitle(b, r) {
  const plays = new Set(r.hostsByBatch.map((x) => x.play)).size
  const total = b.batches ?? r.batches
  return `${plays > 1 ? `Play ${b.play + 1}, batch` : 'Batch'} ${b.batch}${total ? ` of ${total}` : ''}`
}

function statusLine(r) {
  const parts = [h('span', { class: `state r-${r.status}` }, r.status)]
  if (r.batches) parts.push(` batch ${r.batch ?? '?'} of ${r.batches}`)
  if (r.budget) parts.push(`, budget ${budgetText(r.budget)}`)
  if (r.status === 'halted' && r.reason) parts.push(h('span', { class: 'message' }, `: ${r.reason}`))
  return parts
}

function budgetText(b) {
  if (b.allowed === undefined) return `${b.used} used`
  const declared = b.declared && b.declared !== String(b.allowed) ? ` (${b.declared})` : ''
  return `${b.used} of ${b.allowed} used${declared}`
}

function countBy(hosts) {
  const counts = {}
  for (const x of hosts) counts[x.status] = (counts[x.status] ?? 0) + 1
  return counts
}

function countsText(counts) {
  const entries = Object.entries(counts ?? {})
  return entries.length === 0 ? '—' : entries.map(([k, n]) => `${n} ${k}`).join(', ')
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)]
}
