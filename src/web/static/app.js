// The page's router and wiring: hash routes (#/, #/host/NAME, #/runs, #/run/ID), one view at a
// time, fed by the live event stream.
import { fill, h } from './dom.js'
import { fleetView } from './fleet.js'
import { hostView } from './host.js'
import { connectFeed } from './live.js'
import { runView, runsView } from './runs.js'

const main = document.getElementById('main')
const conn = document.getElementById('conn')
const mode = document.getElementById('mode')
const saved = {}
let view

const ctx = {
  saved,
  setMode(text) { mode.textContent = text },
  showError(error) {
    fill(main, h('h1', {}, 'Could not load this view'), h('p', { class: 'message' }, String(error?.message ?? error)), h('p', {}, h('a', { href: '#/' }, 'Back to the fleet')))
  },
}

function route() {
  view?.destroy?.()
  const [, kind = '', rest = ''] = /^#\/([^/]*)\/?(.*)$/.exec(location.hash) ?? []
  const name = decodeURIComponent(rest)
  if (kind === 'host' && name) view = hostView(main, ctx, name)
  else if (kind === 'runs') view = runsView(main, ctx)
  else if (kind === 'run' && name) view = runView(main, ctx, name)
  else view = fleetView(main, ctx)
  for (const a of document.querySelectorAll('[data-nav]')) {
    const current = a.dataset.nav === (kind === 'run' ? 'runs' : kind === 'runs' ? 'runs' : 'fleet')
    if (current) a.setAttribute('aria-current', 'page')
    else a.removeAttribute('aria-current')
  }
  document.title = kind === 'host' ? `${name}: tend` : kind.startsWith('run') ? 'tend: runs' : 'tend: fleet'
  return view.load().catch(ctx.showError)
}

window.addEventListener('hashchange', () => {
  void route()
  main.focus({ preventScroll: true })
})

let first = true
connectFeed({
  notice(lost) { conn.hidden = !lost },
  onOpen() {
    // The first greeting comes with the first load; later ones follow a lost connection.
    if (first) first = false
    else void view?.load().catch(ctx.showError)
  },
  onCycle: (c) => view?.onCycle?.(c),
  onHost: (x) => view?.onHost?.(x),
  onRuns: () => view?.onRuns?.(),
})

setInterval(() => view?.tick?.(), 10000)
void route()
