// One host: its state, charts, the drift timeline (cycles that corrected or failed, with the
// changes applied) and the evidence of its last probe. Every string from the host is text.
import { driftChart, durationChart, slots } from './charts.js'
import { fill, getJson, h, viewLink } from './dom.js'
import { STATE_LABEL, duration, isoTime, relative, stateOfOutcome } from './format.js'

const MAX_EVIDENCE_CHARS = 20000

export function hostView(main, ctx, name) {
  let reloadTimer

  async function load() {
    const [data, chart] = await Promise.all([
      getJson(`/api/host?name=${encodeURIComponent(name)}`),
      getJson(`/api/charts?hours=24&host=${encodeURIComponent(name)}`),
    ])
    const row = data.row
    const buckets = slots(chart)
    fill(main,
      h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Fleet')),
      h('h1', {}, name, ' ', row ? h('span', { class: `state s-${row.state}` }, STATE_LABEL[row.state] ?? row.state) : h('span', { class: 'state s-unseen' }, 'not yet seen')),
      h('dl', { class: 'facts' },
        fact('Last checked', row?.lastCheckedAt ? `${relative(row.lastCheckedAt, data.now)} (${isoTime(row.lastCheckedAt)})` : '—'),
        fact('Next run', row?.nextRunAt ? `${relative(row.nextRunAt, data.now)} (${isoTime(row.nextRunAt)})` : '—'),
        fact('Groups', row?.groups?.length ? row.groups.join(', ') : '—'),
        fact('Last failure', row?.lastFailure ? `${row.lastFailure.message} (${relative(row.lastFailure.at, data.now)})` : '—')),
      h('section', { class: 'charts', 'aria-label': 'Charts' }, driftChart(buckets), durationChart(buckets)),
      h('section', { 'aria-labelledby': 'drift-h' }, h('h2', { id: 'drift-h' }, 'Drift timeline'),
        data.timeline.length === 0 ? h('p', { class: 'muted' }, 'No cycle of this host corrected or failed anything.') : h('ol', { class: 'timeline' }, foldRepeats(data.timeline).map((c) => cycleItem(c, data.now)))),
      h('section', { 'aria-labelledby': 'probe-h' }, h('h2', { id: 'probe-h' }, 'Last probe'), evidence(data.lastCycle, data.now)))
  }

  return {
    load,
    onCycle(c) {
      if (c.host !== name) return
      clearTimeout(reloadTimer)
      reloadTimer = setTimeout(() => void load().catch(ctx.showError), 300)
    },
    destroy() { clearTimeout(reloadTimer) },
  }
}

function fact(term, value) {
  return [h('dt', {}, term), h('dd', {}, value)]
}

/** What makes two timeline entries the same: outcome, message and changes (not the time). */
const sameness = (c) => JSON.stringify([c.outcome, c.message ?? '', c.changes.map((ch) => [ch.task, ch.summary])])

/**
 * Identical consecutive entries (newest first) fold into one, with their count and time span: a
 * host failing the same way every cycle for a day is one entry, not 1,440.
 */
export function foldRepeats(timeline) {
  const folded = []
  for (const c of timeline) {
    const last = folded.at(-1)
    if (last !== undefined && last.key === sameness(c)) {
      last.count++
      last.firstAt = c.startedAt
    } else folded.push({ ...c, key: sameness(c), count: 1, firstAt: c.startedAt })
  }
  return folded
}

function cycleItem(c, now) {
  const state = stateOfOutcome(c.outcome)
  const span = c.count > 1
    ? h('span', { class: 'repeats' }, ` ×${c.count}, ${isoTime(c.firstAt)} – ${isoTime(c.startedAt)}`)
    : null
  return h('li', { class: `cycle s-${state}`, 'data-cycle': c.id, 'data-count': String(c.count ?? 1) },
    h('div', { class: 'cycle-head' },
      h('span', { class: `state s-${state}` }, c.outcome), span,
      ' ', h('time', { datetime: new Date(c.startedAt).toISOString(), title: isoTime(c.startedAt) }, `${isoTime(c.startedAt)} (${relative(c.startedAt, now)})`),
      ' ', h('span', { class: 'muted' }, `${duration(c.durationMs)}, run `, viewLink('run', c.runId))),
    c.message ? h('p', { class: 'message' }, c.message) : null,
    c.changes.length > 0 ? h('ul', { class: 'changes' }, c.changes.map((ch) => h('li', {}, h('span', { class: 'task' }, ch.task), ': ', h('span', { class: 'summary' }, ch.summary)))) : null)
}

function evidence(cycle, now) {
  if (!cycle) return h('p', { class: 'muted' }, 'No cycle recorded yet.')
  const entries = Array.isArray(cycle.evidence) ? cycle.evidence : []
  return h('div', { class: 'evidence' },
    h('p', {}, `${cycle.outcome} at ${isoTime(cycle.startedAt)} (${relative(cycle.startedAt, now)}), ${duration(cycle.durationMs)}`),
    entries.length === 0 ? h('p', { class: 'muted' }, 'This cycle recorded no evidence.') : entries.map((e) => evidenceEntry(e, entries.length <= 3 || ['changed', 'failed', 'unreachable'].includes(e?.status))))
}

function evidenceEntry(entry, open) {
  const isObject = typeof entry === 'object' && entry !== null
  const title = isObject && typeof entry.task === 'string' ? entry.task : 'evidence'
  const status = isObject && typeof entry.status === 'string' ? entry.status : undefined
  const rest = isObject ? Object.fromEntries(Object.entries(entry).filter(([k]) => k !== 'task' && k !== 'status')) : entry
  let text = JSON.stringify(rest, null, 2) ?? ''
  if (text.length > MAX_EVIDENCE_CHARS) text = `${text.slice(0, MAX_EVIDENCE_CHARS)}\n… (${text.length - MAX_EVIDENCE_CHARS} more characters)`
  return h('details', { class: 'probe', open },
    h('summary', {}, title, status ? h('span', { class: 'muted' }, ` ${status}`) : null),
    text === '{}' ? h('p', { class: 'muted' }, 'no result recorded') : h('pre', {}, text))
}
