// The live feed (server-sent events). While it is down the page says so; EventSource retries by
// itself, and when the browser gives up (CLOSED) a new one is opened. Once the server greets us
// again, the notice goes and the current view reloads what it missed.

export function connectFeed({ notice, onOpen, onCycle, onHost, onRuns }) {
  let source
  let seen = new Set()

  function open() {
    source = new EventSource('/events')
    source.addEventListener('hello', () => {
      notice(false)
      seen = new Set()
      onOpen()
    })
    source.addEventListener('cycle', (e) => {
      const cycle = JSON.parse(e.data)
      // The same cycle may come from the live controller and from the store's poll.
      const key = `${cycle.host}@${cycle.startedAt}@${cycle.runId}`
      if (seen.has(key)) return
      seen.add(key)
      if (seen.size > 5000) seen = new Set([key])
      onCycle(cycle)
    })
    source.addEventListener('hosts', (e) => { for (const host of JSON.parse(e.data)) onHost(host) })
    source.addEventListener('runs', () => onRuns())
    source.addEventListener('error', () => {
      notice(true)
      if (source.readyState === EventSource.CLOSED) {
        source.close()
        setTimeout(open, 2000)
      }
    })
  }
  open()
}
