// Words and numbers as the page shows them.

export const STATES = ['converged', 'corrected', 'failed', 'unreachable', 'busy', 'unseen']
export const STATE_LABEL = {
  converged: 'converged', corrected: 'corrected', failed: 'failed', unreachable: 'unreachable', busy: 'busy', unseen: 'not yet seen',
}
const OUTCOME_STATE = { ok: 'converged', corrected: 'corrected', failed: 'failed', unreachable: 'unreachable', busy: 'busy' }

export function stateOfOutcome(outcome) {
  return OUTCOME_STATE[outcome] ?? 'unseen'
}

/** "12 s ago", "in 3 min"; exact time in the title. */
export function relative(ms, now = Date.now()) {
  if (ms === undefined || ms === null) return '—'
  const delta = Math.round((ms - now) / 1000)
  const abs = Math.abs(delta)
  const text = abs < 5 ? 'now' : abs < 90 ? `${abs} s` : abs < 5400 ? `${Math.round(abs / 60)} min` : abs < 172800 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`
  if (text === 'now') return delta <= 0 ? 'just now' : 'now'
  return delta < 0 ? `${text} ago` : `in ${text}`
}

export function isoTime(ms) {
  return ms === undefined || ms === null ? '' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

export function duration(ms) {
  if (ms === undefined || ms === null) return '—'
  return ms < 1000 ? `${ms} ms` : ms < 60000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60000)} min`
}

/** Hours in UTC, as every time on the page. */
export function hourLabel(ms) {
  const d = new Date(ms)
  return `${String(d.getUTCHours()).padStart(2, '0')}:00`
}
