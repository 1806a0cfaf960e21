// The fleet: counts per state (they filter), a search by host or group, and one page of rows.
// Live events change the model; a render updates the counts and the visible rows in place, so a
// fleet of 1,000 hosts costs 50 rows of DOM, and a burst of events one render.
import { driftChart, durationChart, slots } from './charts.js'
import { fill, getJson, h, viewLink } from './dom.js'
import { STATES, STATE_LABEL, isoTime, relative, stateOfOutcome } from './format.js'

const PAGE = 50
const COLUMNS = ['Host', 'State', 'Last checked', 'Next run', 'Last failure']
// What needs the operator first: failures, then what tend could not check, then the rest.
const STATE_RANK = { failed: 0, unreachable: 1, busy: 2, corrected: 3, unseen: 4, converged: 5 }
const SORTS = {
  Host: (a, b) => a.host.localeCompare(b.host),
  State: (a, b) => (STATE_RANK[a.state] ?? 9) - (STATE_RANK[b.state] ?? 9) || (b.stale === true) - (a.stale === true) || a.host.localeCompare(b.host),
  'Last checked': (a, b) => (a.lastCheckedAt ?? 0) - (b.lastCheckedAt ?? 0) || a.host.localeCompare(b.host),
  'Next run': (a, b) => (a.nextRunAt ?? Infinity) - (b.nextRunAt ?? Infinity) || a.host.localeCompare(b.host),
  'Last failure': (a, b) => (b.lastFailure?.at ?? 0) - (a.lastFailure?.at ?? 0) || a.host.localeCompare(b.host),
}

/** The line under the title: where the rows come from, and whether a watch is still writing them. */
export function feedText(data) {
  if (data.live) return 'live: tend watch'
  const watch = data.watch
  if (!watch) return 'from the state store · no tend watch has written here'
  const when = watch.lastWriteAt ? relative(Math.min(watch.lastWriteAt, data.now), data.now) : 'never'
  if (watch.everyMs === undefined && watch.status === 'running') return `from the state store · tend watch recorded as running (last wrote ${when})`
  return watch.feeding ? `from the state store · tend watch writing (last ${when})` : `from the state store · no tend watch is writing (last wrote ${when})`
}

export function fleetView(main, ctx) {
  const saved = ctx.saved
  saved.sort ??= { column: 'State', descending: false }
  let hosts = new Map()
  let page = saved.page ?? 0
  let renderTimer
  let chartsLoadedAt = 0
  const headers = new Map()

  const all = h('button', { type: 'button', class: 'count all', onclick: () => setFilter(null) })
  const buttons = new Map(STATES.map((state) => [state, h('button', { type: 'button', class: `count s-${state}`, onclick: () => setFilter(saved.filter === state ? null : state) })]))
  const search = h('input', { type: 'search', id: 'fleet-q', placeholder: 'host or group', autocomplete: 'off', value: saved.query ?? '' })
  search.addEventListener('input', () => { saved.query = search.value; page = 0; render() })
  const tbody = h('tbody')
  const prev = h('button', { type: 'button', onclick: () => { page--; render() } }, '← Previous')
  const next = h('button', { type: 'button', onclick: () => { page++; render() } }, 'Next →')
  const info = h('span', { class: 'muted', 'aria-live': 'polite' })
  const charts = h('section', { class: 'charts', 'aria-label': 'Charts' })
  const empty = h('section', { class: 'empty', id: 'fleet-empty', hidden: true })
  let stateDir

  fill(main,
    h('h1', {}, 'Fleet'),
    empty,
    h('div', { class: 'counts', role: 'group', 'aria-label': 'Filter by state' }, all, [...buttons.values()]),
    h('div', { class: 'controls' }, h('label', { for: 'fleet-q' }, 'Search'), search),
    h('table', { class: 'fleet' }, h('caption', { class: 'sr-only' }, 'Hosts'), h('thead', {}, h('tr', {}, COLUMNS.map((c) => sortHeader(c)))), tbody),
    h('nav', { class: 'pager', 'aria-label': 'Pages of hosts' }, prev, info, next),
    charts)

  function sortHeader(column) {
    const button = h('button', { type: 'button', class: 'sort', onclick: () => {
      saved.sort = { column, descending: saved.sort.column === column ? !saved.sort.descending : false }
      render()
    } }, column)
    const th = h('th', { scope: 'col', 'data-column': column }, button)
    headers.set(column, th)
    return th
  }

  function setFilter(state) {
    saved.filter = state
    page = 0
    render()
  }

  function matches(row, query) {
    if (saved.filter && row.state !== saved.filter) return false
    if (query === '') return true
    return row.host.toLowerCase().includes(query) || row.groups.some((g) => g.toLowerCase().includes(query))
  }

  function render() {
    clearTimeout(renderTimer)
    renderTimer = undefined
    const rows = [...hosts.values()]
    showEmpty(rows.length === 0)
    const counts = Object.fromEntries(STATES.map((st) => [st, 0]))
    for (const r of rows) counts[r.state]++
    all.textContent = `all ${rows.length}`
    all.setAttribute('aria-pressed', String(!saved.filter))
    for (const [state, button] of buttons) {
      button.textContent = `${STATE_LABEL[state]} ${counts[state]}`
      button.setAttribute('aria-pressed', String(saved.filter === state))
    }
    const query = search.value.trim().toLowerCase()
    const order = SORTS[saved.sort.column] ?? SORTS.State
    const shown = rows.filter((r) => matches(r, query)).sort((a, b) => (saved.sort.descending ? -order(a, b) : order(a, b)))
    for (const [column, th] of headers) th.setAttribute('aria-sort', column !== saved.sort.column ? 'none' : saved.sort.descending ? 'descending' : 'ascending')
    const pages = Math.max(1, Math.ceil(shown.length / PAGE))
    page = Math.min(Math.max(0, page), pages - 1)
    saved.page = page
    const slice = shown.slice(page * PAGE, (page + 1) * PAGE)
    while (tbody.children.length > slice.length) tbody.lastElementChild.remove()
    const now = Date.now()
    slice.forEach((row, i) => fillRow(tbody.children[i] ?? tbody.appendChild(newRow()), row, now))
    info.textContent = shown.length === 0 ? 'no host matches' : `${page * PAGE + 1}–${page * PAGE + slice.length} of ${shown.length}`
    prev.disabled = page === 0
    next.disabled = page >= pages - 1
  }

  /** An empty fleet says how to fill it: a watch (or a run) recording into this state dir. */
  function showEmpty(isEmpty) {
    empty.hidden = !isEmpty
    if (!isEmpty || empty.childElementCount > 0) return
    const dir = stateDir === undefined ? '' : ` --state-dir ${stateDir}`
    fill(empty,
      h('p', {}, `No host is recorded in this state store yet${stateDir === undefined ? '' : ` (${stateDir})`}. Fill it with a watch, or a run:`),
      h('pre', {}, h('code', {}, `tend watch PLAYBOOK -i INVENTORY --every 1m${dir}\ntend run PLAYBOOK -i INVENTORY${dir}`)),
      h('p', { class: 'muted' }, 'Hosts appear here as their first check is recorded; this page follows the store live.'))
  }

  function scheduleRender() {
    renderTimer ??= setTimeout(render, 200)
  }

  async function loadCharts(force) {
    if (!force && Date.now() - chartsLoadedAt < 30000) return
    chartsLoadedAt = Date.now()
    const data = await getJson('/api/charts?hours=24')
    const buckets = slots(data)
    fill(charts, driftChart(buckets), durationChart(buckets))
  }

  async function load() {
    const data = await getJson('/api/fleet')
    hosts = new Map(data.hosts.map((r) => [r.host, r]))
    stateDir = data.stateDir
    ctx.setMode(feedText(data))
    render()
    await loadCharts(true)
  }

  return {
    load,
    tick: render,
    onCycle(c) {
      const row = hosts.get(c.host) ?? { host: c.host, groups: [] }
      const failed = c.outcome === 'failed' || c.outcome === 'unreachable'
      hosts.set(c.host, {
        ...row, running: false, stale: false, state: stateOfOutcome(c.outcome), lastCheckedAt: c.startedAt + c.durationMs, lastDurationMs: c.durationMs,
        ...(failed && { lastFailure: { at: c.startedAt, message: c.message ?? c.outcome } }),
      })
      scheduleRender()
      void loadCharts(false).catch(() => {})
    },
    onHost(live) {
      hosts.set(live.host, { ...(hosts.get(live.host) ?? { groups: [] }), running: false, ...live })
      scheduleRender()
    },
    destroy() { clearTimeout(renderTimer) },
  }
}

function newRow() {
  return h('tr', {}, COLUMNS.map((c) => h('td', { 'data-label': c })))
}

function fillRow(tr, row, now) {
  const [host, state, checked, nextRun, failure] = tr.children
  if (host.firstChild?.textContent !== row.host) fill(host, viewLink('host', row.host))
  tr.dataset.host = row.host
  tr.dataset.state = row.state
  fill(state, h('span', { class: `state s-${row.state}` }, STATE_LABEL[row.state] ?? row.state), row.running ? h('span', { class: 'running' }, ' running') : null)
  tr.dataset.stale = String(row.stale === true)
  fill(checked, timeCell(row.lastCheckedAt, now), row.stale ? h('span', { class: 'stale', title: 'not checked for more than three intervals of the watch: this state may no longer be true' }, ' stale') : null)
  fill(nextRun, timeCell(row.nextRunAt, now))
  if (row.lastFailure) {
    fill(failure, h('span', { class: 'msg', title: row.lastFailure.message }, row.lastFailure.message), ' ', h('span', { class: 'muted' }, relative(row.lastFailure.at, now)))
  } else fill(failure, h('span', { class: 'muted' }, '—'))
}

function timeCell(ms, now) {
  return ms === undefined || ms === null ? h('span', { class: 'muted' }, '—') : h('time', { datetime: new Date(ms).toISOString(), title: isoTime(ms) }, relative(ms, now))
}
