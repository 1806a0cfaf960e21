// Small hand-made SVG charts (no library: two chart shapes, a few dozen lines, nothing to download).
import { h, s } from './dom.js'
import { duration, hourLabel } from './format.js'

const W = 480
const H = 120
const PAD = { left: 36, right: 6, top: 8, bottom: 18 }

/** Hourly slots from `since` to now, with the store's buckets filled in (an empty hour is zero). */
export function slots(data) {
  const byStart = new Map(data.buckets.map((b) => [b.start, b]))
  const out = []
  for (let t = data.since; t <= data.now; t += data.bucketMs) {
    out.push(byStart.get(t) ?? { start: t, cycles: 0, corrected: 0, failed: 0, avgDurationMs: 0, maxDurationMs: 0 })
  }
  return out
}

function frame(title, summary, max, format) {
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}: ${summary}`, class: 'chart' })
  const y0 = H - PAD.bottom
  svg.append(
    s('line', { x1: PAD.left, x2: W - PAD.right, y1: y0, y2: y0, class: 'axis' }),
    s('line', { x1: PAD.left, x2: W - PAD.right, y1: PAD.top, y2: PAD.top, class: 'grid' }),
    s('text', { x: PAD.left - 4, y: PAD.top + 4, class: 'tick', 'text-anchor': 'end' }, format(max)),
    s('text', { x: PAD.left - 4, y: y0, class: 'tick', 'text-anchor': 'end' }, format(0)),
  )
  return svg
}

function timeTicks(svg, buckets, x) {
  const step = Math.max(1, Math.ceil(buckets.length / 6))
  buckets.forEach((b, i) => {
    if (i % step === 0) svg.append(s('text', { x: x(i), y: H - 4, class: 'tick', 'text-anchor': 'middle' }, hourLabel(b.start)))
  })
}

/** Stacked bars per hour: corrections and failures. */
export function driftChart(buckets) {
  const max = Math.max(1, ...buckets.map((b) => b.corrected + b.failed))
  const corrected = buckets.reduce((n, b) => n + b.corrected, 0)
  const failed = buckets.reduce((n, b) => n + b.failed, 0)
  const svg = frame('Corrections and failures per hour', `${corrected} corrected, ${failed} failed in ${buckets.length} hours`, max, String)
  const slot = (W - PAD.left - PAD.right) / buckets.length
  const scale = (H - PAD.top - PAD.bottom) / max
  const y0 = H - PAD.bottom
  buckets.forEach((b, i) => {
    const x = PAD.left + i * slot + slot * 0.15
    const width = Math.max(1, slot * 0.7)
    const hc = b.corrected * scale
    const hf = b.failed * scale
    const tip = `${hourLabel(b.start)}: ${b.corrected} corrected, ${b.failed} failed, ${b.cycles} cycles`
    if (hc > 0) svg.append(s('rect', { x, y: y0 - hc, width, height: hc, class: 'bar corrected' }, s('title', {}, tip)))
    if (hf > 0) svg.append(s('rect', { x, y: y0 - hc - hf, width, height: hf, class: 'bar failed' }, s('title', {}, tip)))
  })
  timeTicks(svg, buckets, (i) => PAD.left + (i + 0.5) * slot)
  return figure('Corrections and failures per hour', svg, [['corrected', 'corrected'], ['failed', 'failed or unreachable']])
}

/** Lines per hour: average and longest cycle duration. */
export function durationChart(buckets) {
  const max = Math.max(1, ...buckets.map((b) => b.maxDurationMs))
  const svg = frame('Cycle duration', `longest ${duration(max)}`, max, duration)
  const slot = (W - PAD.left - PAD.right) / Math.max(1, buckets.length - 1)
  const x = (i) => PAD.left + i * slot
  const y = (v) => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom)
  for (const [key, cls] of [['maxDurationMs', 'line max'], ['avgDurationMs', 'line avg']]) {
    const points = buckets.map((b, i) => (b.cycles > 0 ? `${x(i).toFixed(1)},${y(b[key]).toFixed(1)}` : null)).filter(Boolean)
    if (points.length > 0) svg.append(s('polyline', { points: points.join(' '), class: cls }))
  }
  buckets.forEach((b, i) => {
    if (b.cycles > 0) svg.append(s('circle', { cx: x(i), cy: y(b.avgDurationMs), r: 2.5, class: 'dot' }, s('title', {}, `${hourLabel(b.start)}: average ${duration(b.avgDurationMs)}, longest ${duration(b.maxDurationMs)}`)))
  })
  timeTicks(svg, buckets, x)
  return figure('Cycle duration per hour', svg, [['avg', 'average'], ['max', 'longest']])
}

function figure(title, svg, legend) {
  return h('figure', { class: 'chart-box' },
    h('figcaption', {}, title, ' ', legend.map(([cls, text]) => h('span', { class: `key ${cls}` }, text))),
    svg)
}
